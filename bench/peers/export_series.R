# Writes the classic series of the `forecast` bench scenario from R's built-in `datasets` package:
#
#   Rscript bench/peers/export_series.R [OUT_DIR]      (OUT_DIR defaults to bench/data; run from the repository root)
#
# OUT_DIR/classic_series.csv       long format `series_key,ts,value`, the layout Modelhost's SeriesCsv reads. Dates:
#                                  monthly -> the first of the month, quarterly -> the first month of the quarter,
#                                  yearly (and any frequency <= 1) -> 1 January of the year R gives (year 1 for series
#                                  R indexes 1, 2, 3, ...). Values with 15 significant digits, as R prints them.
# OUT_DIR/classic_series_meta.csv  one row per series: series_key, dataset, frequency (R's), period (the seasonal period
#                                  both sides use: 12, 4 or 1), n, h (the held-out horizon: 18 monthly, 8 quarterly,
#                                  6 otherwise, as in the M3 competition).
#
# Run once; both files are committed, so the benchmark itself needs R only for the reference side. Left out, and why:
#   presidents      quarterly approval ratings with 6 NAs: ETS (ours and forecast::ets alike) needs a complete series;
#   treering        starts in 6000 BC (not a date either side reads) and has 7,980 points;
#   sunspots,       monthly sunspot numbers, 2,820 and 3,177 points: the same phenomenon as sunspot.year, and each would
#   sunspot.month   dominate the total fit time on its own;
#   EuStockMarkets  business-daily (frequency 260): not a monthly, quarterly or yearly series;
#   Seatbelts: law  a 0/1 dummy, and drivers, which is UKDriverDeaths again.
# Series with zeros (discoveries, sunspot.year) are kept: both sides then fit only additive forms.

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else file.path("bench", "data")
dir.create(out, showWarnings = FALSE, recursive = TRUE)

univariate <- c(
  # monthly
  "AirPassengers", "nottem", "USAccDeaths", "ldeaths", "mdeaths", "fdeaths", "UKDriverDeaths", "co2",
  # quarterly
  "JohnsonJohnson", "UKgas", "austres", "freeny.y",
  # yearly, or frequency 1 with an index for time
  "Nile", "lynx", "LakeHuron", "nhtemp", "airmiles", "discoveries", "sunspot.year", "uspop", "WWWusage",
  "BJsales", "BJsales.lead", "lh"
)
seatbelts <- c("DriversKilled", "front", "rear", "kms", "PetrolPrice", "VanKilled")

series <- list()
for (name in univariate) series[[name]] <- get(name, envir = as.environment("package:datasets"))
for (col in seatbelts) series[[paste0("Seatbelts.", col)]] <- datasets::Seatbelts[, col]

rows <- list()
meta <- list()
for (key in names(series)) {
  x <- series[[key]]
  stopifnot(is.ts(x), is.null(dim(x)), !anyNA(x))
  f <- frequency(x)
  t <- as.numeric(time(x))
  year <- floor(t + 1e-6)
  if (f == 12) {
    month <- as.integer(cycle(x))
    period <- 12L
    h <- 18L
  } else if (f == 4) {
    month <- (as.integer(cycle(x)) - 1L) * 3L + 1L
    period <- 4L
    h <- 8L
  } else if (f <= 1) {
    month <- rep(1L, length(x))
    period <- 1L
    h <- 6L
  } else {
    stop(sprintf("%s: frequency %g is not monthly, quarterly or yearly", key, f))
  }
  stopifnot(all(year >= 1))
  ts <- sprintf("%04d-%02d-01", as.integer(year), month)
  value <- vapply(as.numeric(x), function(v) format(v, digits = 15, scientific = FALSE, trim = TRUE), "")
  rows[[key]] <- data.frame(series_key = key, ts = ts, value = value, stringsAsFactors = FALSE)
  dataset <- if (startsWith(key, "Seatbelts.")) "Seatbelts" else key
  meta[[key]] <- data.frame(series_key = key, dataset = dataset, frequency = f, period = period, n = length(x), h = h,
                            stringsAsFactors = FALSE)
}

write.csv(do.call(rbind, rows), file.path(out, "classic_series.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, meta), file.path(out, "classic_series_meta.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("export_series: %d series, %d observations -> %s\n", length(rows), sum(vapply(rows, nrow, 0L)), out), file = stderr())
