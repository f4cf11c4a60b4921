test_that("xo_run gives the command line's summary at the same seed", {
  config <- repo_file("configs", "williams2018.toml")
  out <- tempfile()
  r <- cli("run", config, "--replicates", "3000", "--seed", "11", "--set", "design.enrolled=24",
           "--quiet", "--out", out)
  expect_equal(r$status, 0)
  res <- xo_run(config, set = list(design.enrolled = 24), replicates = 3000, seed = 11,
                threads = 2)
  cli_csv <- paste(readLines(file.path(out, "williams2018", "summary.csv")), collapse = "\n")
  expect_identical(res$summary, crossoversim:::read_tidy(cli_csv))
  cli_json <- jsonlite::fromJSON(file.path(out, "williams2018", "summary.json"),
                                 simplifyVector = TRUE, flatten = TRUE)
  expect_identical(res$report$primary, cli_json$primary)
  expect_identical(res$looks, as.data.frame(cli_json$looks))
  expect_identical(res$provenance$command, cli_json$command)
  expect_identical(res$provenance$overrides, "design.enrolled=24")
  # The power row of the tidy summary is the report's primary power.
  power <- res$summary[res$summary$quantity == "power" &
                         res$summary$analysis == res$report$primary$analysis, ]
  expect_equal(nrow(power), 1)
  expect_identical(power$estimate, res$power$estimate)
  expect_true(res$power$estimate > 0.5 && res$power$estimate < 1)
})

test_that("xo_run's tables have the documented column types", {
  config <- repo_file("configs", "williams2018.toml")
  res <- xo_run(config, replicates = 1024, seed = 1)
  s <- res$summary
  expect_s3_class(s, "data.frame")
  expect_type(s$quantity, "character")
  expect_type(s$estimate, "double")
  expect_type(s$se, "double")
  expect_type(s$look, "integer")
  expect_type(s$responders, "integer")
  expect_type(s$under_null, "logical")
  expect_true(all(is.na(s$look[s$quantity == "power"])))
  expect_true(all(s$look[s$quantity == "p_stop"] %in% c(1L, 2L, NA)))
  expect_s3_class(res$looks, "data.frame")
  expect_equal(res$looks$look, c(1L, 2L))
  expect_type(res$looks$critical_z, "double")
  expect_s3_class(res$contrasts, "data.frame")
  expect_identical(res$provenance$seed, 1L)
  expect_output(print(res), "williams2018: power")
})

test_that("a config given as text runs as its file does", {
  config <- repo_file("configs", "designs", "design_2x2x4.toml")
  text <- paste(readLines(config), collapse = "\n")
  a <- xo_run(config, replicates = 2048, seed = 3)
  b <- xo_run(text, replicates = 2048, seed = 3)
  expect_identical(a$power, b$power)
  expect_identical(b$provenance$config_file, "<config text>")
})

test_that("threads do not change results", {
  config <- repo_file("configs", "williams2018.toml")
  a <- xo_run(config, replicates = 3000, seed = 9, threads = 1)
  b <- xo_run(config, replicates = 3000, seed = 9, threads = 2)
  expect_identical(a$summary, b$summary)
})

test_that("a two-stage design reports its stages", {
  config <- repo_file("configs", "two_stage", "potvin_b_null.toml")
  res <- xo_run(config, replicates = 2000, seed = 2)
  expect_false(is.null(res$stages))
  expect_identical(res$stages$method, "potvin_b")
  expect_type(res$stages$p_success$estimate, "double")
})

test_that("progress = TRUE counts the replicates on the console", {
  text <- xo_init("2x2")
  shown <- capture.output(xo_run(text, replicates = 4096, seed = 1, progress = TRUE),
                          type = "message")
  expect_match(paste(shown, collapse = "\n"), "of 4096 replicates", fixed = TRUE)
  quiet <- capture.output(xo_run(text, replicates = 4096, seed = 1, progress = FALSE),
                          type = "message")
  expect_length(quiet, 0)
})
