# The package's functions: R arguments in, the native entry points called
# (R/extendr-wrappers.R), the command line's files turned into data frames and lists.

# An error from the native side as an R condition of class `crossoversim_error`, whose
# message is the command line's (without its "error: " prefix).
xo_result <- function(r, call) {
  if (!is.null(r$error)) {
    stop(structure(
      class = c("crossoversim_error", "error", "condition"),
      list(message = r$error, call = call)
    ))
  }
  r$ok
}

# A TOML value for an override: numbers without exponents where they are whole (so
# `design.enrolled = 1e5` stays an integer), strings quoted, vectors as arrays.
toml_value <- function(v) {
  one <- function(x) {
    if (is.logical(x)) {
      tolower(as.character(x))
    } else if (is.numeric(x)) {
      format(x, scientific = FALSE, digits = 15, trim = TRUE)
    } else {
      paste0('"', gsub('(["\\\\])', "\\\\\\1", as.character(x)), '"')
    }
  }
  if (length(v) == 1 && !is.list(v)) one(v) else paste0("[", paste(vapply(v, one, ""), collapse = ", "), "]")
}

# `set = list(design.enrolled = 40)` (or "KEY=VALUE" strings) as KEY=VALUE strings.
set_strings <- function(set) {
  if (is.null(set) || length(set) == 0) return(character(0))
  if (is.character(set) && is.null(names(set))) return(set)
  keys <- names(set)
  if (is.null(keys) || any(keys == "")) {
    stop(structure(
      class = c("crossoversim_error", "error", "condition"),
      list(message = "set: give a named list, e.g. set = list(design.enrolled = 40), or KEY=VALUE strings",
           call = sys.call(-1))
    ))
  }
  vapply(seq_along(set), function(i) paste0(keys[[i]], "=", toml_value(set[[i]])), "")
}

# The column types of the tidy CSV files (docs/outputs.md); other columns (a sweep's swept
# keys) are typed by read.csv.
tidy_types <- c(
  quantity = "character", analysis = "character", contrast = "character",
  condition = "character", look = "integer", reason = "character", responders = "integer",
  estimate = "numeric", se = "numeric", ci_low = "numeric", ci_high = "numeric",
  under_null = "logical", name = "character", config_file = "character",
  overrides = "character", seed = "numeric", replicates = "numeric", version = "character",
  command = "character", point = "integer", status = "character"
)

# A tidy CSV text (summary.csv, a sweep's CSV) as a data frame: blank cells are NA.
read_tidy <- function(text) {
  header <- names(utils::read.csv(text = text, nrows = 1, check.names = FALSE))
  types <- tidy_types[intersect(header, names(tidy_types))]
  utils::read.csv(
    text = text, colClasses = types, na.strings = "", check.names = FALSE,
    stringsAsFactors = FALSE
  )
}

# NULL stays NULL; anything else is passed as a double (the native side checks it).
num_or_null <- function(x) if (is.null(x)) NULL else as.double(x)

#' @export
xo_run <- function(config, set = list(), replicates = NULL, seed = NULL, threads = NULL,
                   progress = interactive()) {
  files <- xo_result(
    xo_run_files(
      config, set_strings(set), num_or_null(replicates), num_or_null(seed),
      num_or_null(threads), isTRUE(progress)
    ),
    sys.call()
  )
  report <- jsonlite::fromJSON(files$json, simplifyVector = TRUE, flatten = TRUE)
  for (h in files$hints) message("hint: ", h)
  if (nzchar(files$warning)) warning(files$warning, call. = FALSE)
  result <- list(
    summary = read_tidy(files$csv),
    looks = as.data.frame(report$looks),
    contrasts = as.data.frame(report$contrasts),
    power = report$primary$power,
    provenance = list(
      tool = report$tool$name, version = report$tool$version, name = report$name,
      config_file = report$config_file, overrides = report$overrides,
      seed = report$seed, replicates = report$replicates, command = report$command,
      threads = report$threads, elapsed_seconds = report$elapsed_seconds
    ),
    report = report
  )
  if (!is.null(report$two_stage)) result$stages <- report$two_stage
  structure(result, class = "xo_run")
}

#' @export
print.xo_run <- function(x, ...) {
  p <- x$power
  cat(sprintf(
    "%s: power %.4f (Monte Carlo SE %.4f, 95%% CI %.4f to %.4f), %s replicates, seed %s\n",
    x$provenance$name, p$estimate, p$se, p$ci_low, p$ci_high,
    format(x$provenance$replicates, big.mark = ","), format(x$provenance$seed, scientific = FALSE)
  ))
  cat("  reproduce: ", x$provenance$command, "\n", sep = "")
  cat("  $summary (", nrow(x$summary), " rows), $looks, $contrasts",
      if (!is.null(x$stages)) ", $stages", ", $provenance, $report\n", sep = "")
  invisible(x)
}

#' @export
xo_sweep <- function(config, param, values, param2 = NULL, values2 = NULL,
                     target_power = NULL, set = list(), replicates = NULL, seed = NULL,
                     threads = NULL, progress = interactive()) {
  # Each value formatted on its own (format() of a vector pads to common digits: 0.10, 0.25).
  grid <- function(v) {
    if (is.null(v) || is.character(v)) return(v)
    paste(vapply(v, toml_value, ""), collapse = ",")
  }
  files <- xo_result(
    xo_sweep_files(
      config, param, grid(values), param2, grid(values2), num_or_null(target_power),
      set_strings(set), num_or_null(replicates), num_or_null(seed), num_or_null(threads),
      isTRUE(progress)
    ),
    sys.call()
  )
  for (h in files$hints) message("hint: ", h)
  report <- jsonlite::fromJSON(files$json, simplifyVector = TRUE, flatten = TRUE)
  points <- read_tidy(files$csv)
  attr(points, "target") <- report$target
  attr(points, "report") <- report
  points
}

#' @export
xo_validate <- function(config, set = list(), replicates = NULL, seed = NULL) {
  v <- xo_result(
    xo_validate_config(config, set_strings(set), num_or_null(replicates), num_or_null(seed)),
    sys.call()
  )
  for (h in v$hints) message("hint: ", h)
  v$config <- jsonlite::fromJSON(v$resolved, simplifyVector = TRUE)
  v$resolved <- NULL
  v
}

#' @export
xo_boundaries <- function(looks, spending = "obrien_fleming", alpha = 0.05, sided = 2,
                          gamma = NULL, rho = NULL, interim_z = NULL) {
  json <- xo_result(
    xo_boundaries_json(
      as.double(looks), spending, as.double(alpha), as.double(sided), num_or_null(gamma),
      num_or_null(rho), num_or_null(interim_z)
    ),
    sys.call()
  )
  b <- jsonlite::fromJSON(json, simplifyVector = TRUE)
  table <- data.frame(
    look = seq_along(b$critical_z),
    information_rate = b$information_rates,
    critical_z = b$critical_z,
    nominal_level = b$nominal_level,
    cumulative_alpha = b$cumulative_alpha
  )
  attr(table, "spending") <- b$spending
  attr(table, "alpha") <- b$alpha
  attr(table, "sided") <- b$sided
  attr(table, "convention") <- b$convention
  table
}

#' @export
xo_samplesize <- function(config, target_power = 0.8, adjust_alpha = FALSE, set = list(),
                          replicates = NULL, seed = NULL, threads = NULL,
                          progress = interactive()) {
  json <- xo_result(
    xo_samplesize_json(
      config, as.double(target_power), isTRUE(adjust_alpha), set_strings(set),
      num_or_null(replicates), num_or_null(seed), num_or_null(threads), isTRUE(progress)
    ),
    sys.call()
  )
  result <- jsonlite::fromJSON(json, simplifyVector = TRUE, flatten = TRUE)
  result$rows <- as.data.frame(result$rows)
  result
}

#' @export
xo_init <- function(design, conditions = NULL, endpoint = "normal", file = NULL) {
  text <- xo_result(
    xo_init_text(
      design, if (is.null(conditions)) NULL else as.character(conditions), endpoint,
      if (is.null(file)) NULL else path.expand(file)
    ),
    sys.call()
  )
  if (is.null(file)) text else invisible(text)
}
