# crossoversim beside PowerTOST: the power and sample size of average bioequivalence in a 2x2
# crossover (CV 0.30, GMR 0.95, limits 0.80-1.25, alpha 0.05), first by PowerTOST's exact
# formulas, then by crossover-sim's exact power and its participant-level simulation.
# Run from the repository's root after `R CMD INSTALL bindings/r` (needs PowerTOST):
#   Rscript bindings/r/inst/examples/powertost.R
library(crossoversim)
library(PowerTOST)

config <- "configs/bioequivalence/abe_2x2.toml"
cv <- 0.30
gmr <- 0.95

# 1. Power at N = 12, 24 and 40.
ns <- c(12, 24, 40)
side_by_side <- do.call(rbind, lapply(ns, function(n) {
  pt <- power.TOST(CV = cv, theta0 = gmr, n = n, design = "2x2", method = "exact")
  res <- xo_run(config, set = list(design.enrolled = n), replicates = 100000, seed = 1,
                progress = FALSE)
  exact <- res$report$closed_form$power
  data.frame(
    N = n,
    PowerTOST = pt,
    crossoversim_exact = exact,
    simulated = res$power$estimate,
    simulated_se = res$power$se,
    z = (res$power$estimate - pt) / res$power$se
  )
}))
print(side_by_side, digits = 6)
stopifnot(all(abs(side_by_side$crossoversim_exact - side_by_side$PowerTOST) < 1e-6))
stopifnot(all(abs(side_by_side$z) < 4))

# 2. The sample size for 80% power.
pt_n <- sampleN.TOST(CV = cv, theta0 = gmr, targetpower = 0.8, design = "2x2",
                     print = FALSE)[["Sample size"]]
xo_n <- xo_samplesize(config, target_power = 0.8, replicates = 20000, seed = 1,
                      progress = FALSE)
cat(sprintf("sample size for 80%% power: PowerTOST %d, crossoversim %d (exact power %.6f)\n",
            pt_n, xo_n$sample_size, xo_n$exact_power))
stopifnot(pt_n == xo_n$sample_size)
print(xo_n$rows)
