library(testthat)
library(crossoversim)

test_check("crossoversim")
