# R's side of bench/Forecast: forecast::ets, the reference implementation of ETS, on the same series and split.
#
#   Rscript bench/peers/ets_reference.R --data DIR --out FILE [--repetitions N]
#
# DIR holds classic_series.csv and classic_series_meta.csv (bench/peers/export_series.R wrote them). For each series:
# the last h points are held out (meta's h: 18 monthly, 8 quarterly, 6 yearly), ets() fits the rest with its defaults
# (automatic choice of the form by AICc, bounds "both", no multiplicative trend) as ts(frequency = meta's period),
# forecast(fit, h)$mean forecasts the held-out points, and MASE is their mean absolute error divided by the training
# data's in-sample seasonal naive MAE, mean(abs(diff(train, lag = period))) (lag 1 when period is 1): the formula of
# Modelhost's ForecastAccuracy.Mase, computed here rather than by forecast::accuracy.
#
# Timing: only the ets() call, after the package is loaded and one unmeasured pass over every series (so that R's
# byte compiler has compiled what ets calls); then N measured passes. Per pass, the total wall time (Sys.time) and CPU
# time (proc.time, user + system) of the ets() calls. The JSON has per-series medians and the per-pass totals.

suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
option <- function(name, default = NULL) {
  i <- match(paste0("--", name), args)
  if (is.na(i) || i == length(args)) default else args[[i + 1]]
}
data_dir <- option("data")
out <- option("out")
if (is.null(data_dir) || is.null(out)) {
  cat("usage: ets_reference.R --data DIR --out FILE [--repetitions N]\n", file = stderr())
  quit(status = 2)
}
repetitions <- max(1L, min(1000L, as.integer(option("repetitions", "5"))))

points <- read.csv(file.path(data_dir, "classic_series.csv"), colClasses = c("character", "character", "numeric"))
meta <- read.csv(file.path(data_dir, "classic_series_meta.csv"), stringsAsFactors = FALSE)

splits <- lapply(seq_len(nrow(meta)), function(i) {
  m <- meta[i, ]
  rows <- points[points$series_key == m$series_key, ]
  y <- rows$value[order(rows$ts)]
  stopifnot(length(y) == m$n, m$h < m$n)
  list(key = m$series_key, period = as.integer(m$period), n = length(y), h = as.integer(m$h),
       train = head(y, length(y) - m$h), test = tail(y, m$h))
})

cpu_now <- function() {
  p <- proc.time()
  p[["user.self"]] + p[["sys.self"]]
}

fit_all <- function() {
  fits <- vector("list", length(splits))
  wall <- numeric(length(splits))
  cpu <- numeric(length(splits))
  for (i in seq_along(splits)) {
    y <- ts(splits[[i]]$train, frequency = splits[[i]]$period)
    c0 <- cpu_now()
    w0 <- Sys.time()
    fits[[i]] <- ets(y)
    wall[i] <- as.numeric(difftime(Sys.time(), w0, units = "secs")) * 1000
    cpu[i] <- (cpu_now() - c0) * 1000
  }
  list(fits = fits, wall = wall, cpu = cpu)
}

invisible(fit_all()) # warm-up, unmeasured
wall <- matrix(0, nrow = repetitions, ncol = length(splits))
cpu <- matrix(0, nrow = repetitions, ncol = length(splits))
for (r in seq_len(repetitions)) {
  run <- fit_all()
  wall[r, ] <- run$wall
  cpu[r, ] <- run$cpu
  fits <- run$fits
}

num <- function(v) {
  ifelse(is.finite(v), trimws(formatC(v, digits = 10, format = "g")), "null")
}
str <- function(s) paste0("\"", gsub("([\"\\\\])", "\\\\\\1", s), "\"")
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")

entries <- character(length(splits))
mases <- numeric(length(splits))
for (i in seq_along(splits)) {
  s <- splits[[i]]
  fit <- fits[[i]]
  fc <- as.numeric(forecast(fit, h = s$h)$mean)
  scale <- mean(abs(diff(s$train, lag = s$period)))
  mase <- mean(abs(s$test - fc)) / scale
  mases[i] <- mase
  cat(sprintf("ets_reference: %s: %s, MASE %.4f, median fit %.1f ms\n", s$key, fit$method, mase, median(wall[, i])), file = stderr())
  entries[i] <- paste0(
    "    {", "\"key\": ", str(s$key), ", \"period\": ", s$period, ", \"n\": ", s$n, ", \"train\": ", length(s$train),
    ", \"h\": ", s$h, ", \"method\": ", str(fit$method), ", \"aicc\": ", num(fit$aicc), ", \"mase\": ", num(mase),
    ", \"fit_wall_ms_median\": ", num(median(wall[, i])), ", \"fit_cpu_ms_median\": ", num(median(cpu[, i])),
    ", \"forecast\": ", arr(fc), "}")
}

total_wall <- rowSums(wall)
total_cpu <- rowSums(cpu)
doc <- paste0(
  "{\n",
  "  \"name\": \"forecast_r\",\n",
  "  \"implementation\": ", str(sprintf("R forecast::ets %s, %s", as.character(packageVersion("forecast")), R.version.string)), ",\n",
  "  \"repetitions\": ", repetitions, ",\n",
  "  \"series_count\": ", length(splits), ",\n",
  "  \"mean_mase\": ", num(mean(mases)), ",\n",
  "  \"total_fit_wall_ms\": ", arr(total_wall), ",\n",
  "  \"total_fit_cpu_ms\": ", arr(total_cpu), ",\n",
  "  \"total_fit_wall_ms_median\": ", num(median(total_wall)), ",\n",
  "  \"total_fit_cpu_ms_median\": ", num(median(total_cpu)), ",\n",
  "  \"series\": [\n", paste(entries, collapse = ",\n"), "\n  ]\n",
  "}\n")
writeLines(doc, out, sep = "")
cat(sprintf("ets_reference: %d series, total fit time median %.0f ms wall, %.0f ms CPU over %d passes\n",
            length(splits), median(total_wall), median(total_cpu), repetitions), file = stderr())
