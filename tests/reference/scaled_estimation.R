# Reference values for scaled-ABE estimation on small fixed data sets.
# Run: Rscript tests/reference/scaled_estimation.R (R 4.2.2, base stats only)
# All y values are log-scale responses typed in by hand (no randomness).
# R version / packages: base R (stats) only.

options(contrasts = c("contr.treatment", "contr.poly"))

fmt <- function(x) paste(formatC(x, digits = 10, format = "g"), collapse = " ")
pr  <- function(name, x) cat(sprintf("  %-34s %s\n", name, fmt(x)))

# build a long data frame from a named list subject -> c(sequence, y1..yp)
mk <- function(seqs, ys) {
  out <- NULL
  for (i in seq_along(seqs)) {
    s <- seqs[i]; y <- ys[[i]]
    p <- nchar(s)
    out <- rbind(out, data.frame(subject = i, sequence = s, period = 1:p,
                                 treatment = strsplit(s, "")[[1]], y = y,
                                 stringsAsFactors = FALSE))
  }
  out
}
drop_obs <- function(d, subj, per) d[!(d$subject == subj & d$period %in% per), ]

# ---------------------------------------------------------------- data sets
# (a) 2x2x4 full replicate, RTRT (subjects 1-4) / TRTR (subjects 5-8); highly variable R
d_a <- mk(c(rep("RTRT", 4), rep("TRTR", 4)), list(
  c(4.60, 5.02, 5.21, 4.95),
  c(5.35, 5.10, 4.88, 5.22),
  c(4.72, 4.98, 5.05, 4.81),
  c(5.48, 5.30, 5.12, 5.41),
  c(4.90, 4.55, 5.06, 5.14),
  c(5.27, 5.49, 5.15, 4.96),
  c(4.66, 4.98, 4.79, 4.51),
  c(5.12, 4.83, 5.20, 5.32)))
# (b) same with monotone dropout: subj 2 period 4, subj 5 periods 3+4, subj 7 period 4
d_b <- drop_obs(drop_obs(drop_obs(d_a, 2, 4), 5, c(3, 4)), 7, 4)
# (c) 2x3x3 partial replicate RRT (1-3) / RTR (4-6) / TRR (7-9); highly variable R
d_c <- mk(c(rep("RRT", 3), rep("RTR", 3), rep("TRR", 3)), list(
  c(4.62, 5.18, 4.95),
  c(5.31, 4.86, 5.12),
  c(4.70, 5.02, 4.83),
  c(5.08, 4.97, 4.55),
  c(4.66, 4.92, 5.21),
  c(5.44, 5.30, 5.09),
  c(4.93, 4.58, 5.11),
  c(5.16, 5.45, 4.99),
  c(4.81, 4.64, 4.90)))
# (d) same with monotone dropout: subj 4 period 3, subj 8 periods 2+3
d_d <- drop_obs(drop_obs(d_c, 4, 3), 8, c(2, 3))
# (e) 2x2x3 RTR (1-4) / TRT (5-8); low variability (ABE branch)
d_e <- mk(c(rep("RTR", 4), rep("TRT", 4)), list(
  c(4.88, 5.07, 4.73),
  c(5.19, 5.02, 5.28),
  c(4.61, 4.84, 4.49),
  c(5.35, 5.41, 5.12),
  c(4.97, 4.80, 5.14),
  c(5.23, 5.31, 5.06),
  c(4.70, 4.52, 4.86),
  c(5.09, 5.26, 5.17)))

datasets <- list(
  a_2x2x4_complete = d_a, b_2x2x4_missing = d_b,
  c_2x3x3_complete = d_c, d_2x3x3_missing = d_d,
  e_2x2x3_complete = d_e)

# --------------------------------------------------------------- helpers
# within-subject variance from an ANOVA on one treatment only
within_anova <- function(d, trt) {
  dd <- subset(d, treatment == trt)
  m  <- lm(y ~ factor(subject) + factor(period), data = dd)
  df <- m$df.residual
  s2 <- if (df > 0) sum(residuals(m)^2) / df else NA
  c(s2 = s2, df = df)
}

# "FDA" analysis of a per-subject contrast v (one value per subject, NA allowed)
# by sequence: unweighted mean of sequence means, its SE, residual df, pooled var
by_seq <- function(v, sq) {
  ok <- !is.na(v)
  v <- v[ok]; sq <- factor(sq[ok])
  k  <- nlevels(sq)
  m  <- if (k > 1) lm(v ~ 0 + sq) else lm(v ~ 1)
  df <- m$df.residual
  s2 <- sum(residuals(m)^2) / df
  est <- mean(coef(m))
  se  <- sqrt(sum(vcov(m)) / k^2)     # = sqrt(s2 * sum(1/n_s)) / k
  list(est = est, se = se, df = df, s2 = s2, n = length(v), nseq = k)
}

# per-subject contrasts: ilat (only with all periods), dlat R1-R2, T1-T2
contrasts_fda <- function(d) {
  subs <- sort(unique(d$subject))
  res <- data.frame(subject = subs, sequence = NA_character_,
                    ilat = NA_real_, dlat = NA_real_, dlatT = NA_real_,
                    stringsAsFactors = FALSE)
  for (i in seq_along(subs)) {
    di <- d[d$subject == subs[i], ]
    di <- di[order(di$period), ]
    s  <- di$sequence[1]
    res$sequence[i] <- s
    yR <- di$y[di$treatment == "R"]; yT <- di$y[di$treatment == "T"]
    if (nrow(di) == nchar(s)) res$ilat[i] <- mean(yT) - mean(yR)
    if (length(yR) == 2) res$dlat[i]  <- yR[1] - yR[2]
    if (length(yT) == 2) res$dlatT[i] <- yT[1] - yT[2]
  }
  res
}

# Hyslop linearised bound, FDA sign convention (bound <= 0 -> pass)
hyslop <- function(pe, se, df, s2wR, dfRR, theta, alpha = 0.05) {
  Em <- pe^2 - se^2
  Es <- theta * s2wR
  Cm <- (abs(pe) + qt(1 - alpha, df) * se)^2
  Cs <- Es * dfRR / qchisq(1 - alpha, dfRR)
  c(Em = Em, Es = Es, Cm = Cm, Cs = Cs,
    bound = (Em - Es) + sqrt((Cm - Em)^2 + (Cs - Es)^2))
}

# --------------------------------------------------------------- main loop
cat("# scaled_estimation.R reference output\n")
cat("# ", R.version.string, "\n", sep = "")
cat("# numbers printed with 10 significant digits (formatC format='g')\n")
cat("# theta_RSABE = (log(1.25)/0.25)^2 =", fmt((log(1.25)/0.25)^2), "\n")
cat("# theta_NTID  = (log(1/0.9)/0.10)^2 =", fmt((log(1/0.9)/0.10)^2), "\n")
cat("# EMA: r_const = 0.76, switch CVwR > 0.30, cap CVwR 0.50\n\n")

for (nm in names(datasets)) {
  d <- datasets[[nm]]
  d <- d[order(d$subject, d$period), ]
  cat("==================================================================\n")
  cat("DATASET", nm, "\n")
  cat("data (subject sequence period treatment y):\n")
  for (r in seq_len(nrow(d)))
    cat(sprintf("  %d %s %d %s %.2f\n", d$subject[r], d$sequence[r],
                d$period[r], d$treatment[r], d$y[r]))
  cat("  n_obs", nrow(d), "\n")

  # ---- EMA method A (fixed effects ANOVA, all data)
  cat("-- EMA method A: lm(y ~ subject + period + treatment), all data\n")
  m  <- lm(y ~ factor(subject) + factor(period) + factor(treatment), data = d)
  est <- unname(coef(m)["factor(treatment)T"])
  se  <- unname(sqrt(diag(vcov(m)))["factor(treatment)T"])
  df  <- m$df.residual
  mse <- sum(residuals(m)^2) / df
  pr("PE_log (T-R)", est)
  pr("SE", se)
  pr("df", df)
  pr("MSE (residual mean square)", mse)
  pr("PE ratio exp(PE)", exp(est))
  pr("90% CI lower exp(PE-t*SE)", exp(est - qt(0.95, df) * se))
  pr("90% CI upper exp(PE+t*SE)", exp(est + qt(0.95, df) * se))
  pr("t_0.95,df", qt(0.95, df))

  # ---- reference-only ANOVA
  cat("-- EMA reference-only ANOVA: lm(y ~ subject + period), R data\n")
  wR <- within_anova(d, "R")
  CVwR <- sqrt(exp(wR[["s2"]]) - 1)
  pr("s2wR", wR[["s2"]])
  pr("swR", sqrt(wR[["s2"]]))
  pr("dfR", wR[["df"]])
  pr("CVwR", CVwR)
  # EMA widened limits (informational)
  uL <- if (CVwR <= 0.30) 1.25 else exp(0.76 * sqrt(log(1 + min(CVwR, 0.5)^2)))
  pr("EMA limits lower/upper", c(1/uL, uL))

  ntT <- max(table(d$subject[d$treatment == "T"]))
  if (ntT >= 2) {
    cat("-- test-only ANOVA: lm(y ~ subject + period), T data\n")
    wT <- within_anova(d, "T")
    pr("s2wT", wT[["s2"]])
    pr("dfT", wT[["df"]])
    pr("CVwT", sqrt(exp(wT[["s2"]]) - 1))
  }

  # ---- FDA intra-subject contrasts
  cat("-- FDA intra-subject contrasts (progesterone/warfarin SAS code)\n")
  cc <- contrasts_fda(d)
  cat("  per subject: subject sequence ilat dlat(R1-R2) dlatT(T1-T2)\n")
  for (r in seq_len(nrow(cc)))
    cat(sprintf("    %d %s %s %s %s\n", cc$subject[r], cc$sequence[r],
                fmt(cc$ilat[r]), fmt(cc$dlat[r]), fmt(cc$dlatT[r])))
  il <- by_seq(cc$ilat, cc$sequence)
  dl <- by_seq(cc$dlat, cc$sequence)
  pr("ilat n subjects", il$n)
  pr("ilat n sequences", il$nseq)
  pr("PE_log (mean of seq means)", il$est)
  pr("SE", il$se)
  pr("df (n - nseq)", il$df)
  pr("pooled var of ilat", il$s2)
  pr("ABE 90% CI lower", exp(il$est - qt(0.95, il$df) * il$se))
  pr("ABE 90% CI upper", exp(il$est + qt(0.95, il$df) * il$se))
  s2wR_f <- dl$s2 / 2
  pr("dlat n subjects", dl$n)
  pr("dlat n sequences", dl$nseq)
  pr("s2wR (pooled var dlat / 2)", s2wR_f)
  pr("swR", sqrt(s2wR_f))
  pr("dfRR (n - nseq)", dl$df)
  pr("CVwR", sqrt(exp(s2wR_f) - 1))
  pr("RSABE switch swR >= 0.294 ?", as.numeric(sqrt(s2wR_f) >= 0.294))
  h <- hyslop(il$est, il$se, il$df, s2wR_f, dl$df, (log(1.25)/0.25)^2)
  cat("  RSABE (theta=(log(1.25)/0.25)^2):\n")
  pr("Em = PE^2 - SE^2", h[["Em"]])
  pr("Es = theta*s2wR", h[["Es"]])
  pr("Cm = (|PE| + t*SE)^2", h[["Cm"]])
  pr("Cs = Es*dfRR/qchisq(0.95,dfRR)", h[["Cs"]])
  pr("bound (pass if <= 0)", h[["bound"]])
  pr("qchisq(0.95,dfRR)", qchisq(0.95, dl$df))

  if (any(!is.na(cc$dlatT))) {
    dT <- by_seq(cc$dlatT, cc$sequence)
    s2wT_f <- dT$s2 / 2
    cat("  T1-T2 contrasts:\n")
    pr("dlatT n subjects", dT$n)
    pr("dlatT n sequences", dT$nseq)
    pr("s2wT (pooled var dlatT / 2)", s2wT_f)
    pr("swT", sqrt(s2wT_f))
    pr("dfTT (n - nseq)", dT$df)
    pr("CVwT", sqrt(exp(s2wT_f) - 1))
    if (grepl("2x2x4", nm)) {
      hN <- hyslop(il$est, il$se, il$df, s2wR_f, dl$df, (log(1/0.9)/0.10)^2)
      cat("  NTID (theta=(log(1/0.9)/0.10)^2):\n")
      pr("Em", hN[["Em"]])
      pr("Es", hN[["Es"]])
      pr("Cm", hN[["Cm"]])
      pr("Cs", hN[["Cs"]])
      pr("bound (pass if <= 0)", hN[["bound"]])
      Fq <- qf(0.05, dT$df, dl$df)
      pr("swT/swR point", sqrt(s2wT_f / s2wR_f))
      pr("qf(0.05,dfTT,dfRR)", Fq)
      pr("upper 90% CL swT/swR", sqrt((s2wT_f / s2wR_f) / Fq))
      pr("ratio criterion (<= 2.5)", as.numeric(sqrt((s2wT_f / s2wR_f) / Fq) <= 2.5))
    }
  }
  cat("\n")
}
