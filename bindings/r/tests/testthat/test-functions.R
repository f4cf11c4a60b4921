test_that("xo_sweep gives the command line's sweep as one tidy data frame", {
  config <- repo_file("configs", "williams2018.toml")
  out <- tempfile()
  r <- cli("sweep", config, "--param", "design.enrolled", "--values", "20,30",
           "--replicates", "2000", "--seed", "5", "--quiet", "--out", out)
  expect_equal(r$status, 0)
  points <- xo_sweep(config, "design.enrolled", c(20, 30), replicates = 2000, seed = 5)
  cli_csv <- paste(readLines(file.path(out, "williams2018", "sweep-design.enrolled.csv")),
                   collapse = "\n")
  plain <- points
  attr(plain, "target") <- NULL
  attr(plain, "report") <- NULL
  expect_identical(plain, crossoversim:::read_tidy(cli_csv))
  expect_s3_class(points, "data.frame")
  expect_setequal(unique(points[["design.enrolled"]]), c(20, 30))
  expect_type(points$estimate, "double")
  expect_type(points$quantity, "character")
})

test_that("xo_sweep finds the smallest N reaching a target power", {
  text <- xo_init("2x2")
  points <- xo_sweep(text, "design.enrolled", "8:24:8", target_power = 0.8,
                     replicates = 2048, seed = 2)
  target <- attr(points, "target")
  expect_false(is.null(target))
  expect_equal(target$target, 0.8)
})

test_that("xo_validate returns the design's facts", {
  config <- repo_file("configs", "williams2018.toml")
  v <- xo_validate(config)
  expect_identical(v$name, "williams2018")
  expect_equal(v$enrolled, 30)
  expect_equal(v$looks, c(15, 30))
  expect_equal(v$seed, 20181205)
  expect_identical(v$config$name, "williams2018")
  r <- cli("validate", config)
  expect_match(paste(r$stdout, collapse = ""), sprintf("N = %d", v$enrolled), fixed = TRUE)
  expect_match(paste(r$stdout, collapse = ""), sprintf("primary %s", v$primary), fixed = TRUE)
})

test_that("xo_boundaries gives the command line's table", {
  r <- cli("boundaries", "--looks", "15,30", "--spending", "obrien_fleming", "--json")
  expect_equal(r$status, 0)
  cli_b <- jsonlite::fromJSON(paste(r$stdout, collapse = "\n"))
  b <- xo_boundaries(c(15, 30), spending = "obrien_fleming")
  expect_s3_class(b, "data.frame")
  expect_identical(b$critical_z, cli_b$critical_z)
  expect_identical(b$cumulative_alpha, cli_b$cumulative_alpha)
  expect_identical(b$information_rate, c(0.5, 1))
  expect_identical(attr(b, "spending"), "obrien_fleming")
  # Lan-DeMets O'Brien-Fleming spending at two equal looks, two-sided 0.05 (rpact: 2.963,
  # 1.969); the classical O'Brien-Fleming final z is 1.977, and classical Pocock's are equal.
  expect_equal(b$critical_z, c(2.963, 1.969), tolerance = 1e-3)
  classical <- xo_boundaries(c(0.5, 1), spending = "classical_obrien_fleming")
  expect_equal(classical$critical_z[2], 1.977, tolerance = 1e-3)
  p <- xo_boundaries(c(0.5, 1), spending = "classical_pocock")
  expect_equal(p$critical_z[1], p$critical_z[2])
  expect_equal(p$critical_z[1], 2.178, tolerance = 1e-3)
})

test_that("xo_samplesize gives the command line's search", {
  config <- repo_file("configs", "designs", "design_2x2.toml")
  out <- tempfile()
  r <- cli("samplesize", config, "--target-power", "0.8", "--replicates", "2000",
           "--seed", "4", "--quiet", "--out", out)
  expect_equal(r$status, 0)
  cli_s <- jsonlite::fromJSON(list.files(out, "samplesize.json", recursive = TRUE,
                                         full.names = TRUE), flatten = TRUE)
  s <- xo_samplesize(config, target_power = 0.8, replicates = 2000, seed = 4)
  expect_identical(s$sample_size, cli_s$sample_size)
  expect_identical(s$rows, as.data.frame(cli_s$rows))
  expect_s3_class(s$rows, "data.frame")
  expect_true(s$exact_power >= 0.8)
})

test_that("xo_init writes a config that runs", {
  file <- tempfile(fileext = ".toml")
  text <- xo_init("2x2x4", endpoint = "log_normal", file = file)
  expect_identical(paste(readLines(file), collapse = "\n"), sub("\n$", "", text))
  expect_match(text, sprintf('name = "%s"', tools::file_path_sans_ext(basename(file))),
               fixed = TRUE)
  expect_error(xo_init("2x2x4", file = file), "already exists", class = "crossoversim_error")
  v <- xo_validate(file)
  expect_equal(v$enrolled, 24)
  res <- xo_run(file, replicates = 1024, seed = 1)
  expect_true(res$power$estimate >= 0 && res$power$estimate <= 1)
  conds <- xo_init("2x2", conditions = c("placebo", "drug"))
  expect_match(conds, "placebo", fixed = TRUE)
})

test_that("fractional grid values are recorded as written", {
  text <- xo_init("2x2")
  points <- xo_sweep(text, "analysis.alpha", c(0.025, 0.1), replicates = 1024, seed = 1)
  expect_setequal(unique(points[["analysis.alpha"]]), c(0.025, 0.1))
  expect_match(attr(points, "report")$command, "--values 0.025,0.1", fixed = TRUE)
})
