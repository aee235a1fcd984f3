# Expected values for tests/evidence/test_glmm_heterogeneity.py, test_metareg.py and
# test_egger.py, computed by R's metafor package: the heterogeneity tests of the
# mixed-effects logistic model (rma.glmm(measure = "PLO"), QE.Wld and QE.LRT), Egger's
# regression test (regtest, model "rma" with predictor "sei" and model "lm") and
# meta-regression on a study-level covariate (rma(yi, vi, mods = ~ x), REML and DL).
#
# Usage: Rscript tests/reference/metafor.R [OUT.json]   (default: metafor.json beside
# this script). Datasets: metafor::dat.pritz1997 and metafor::dat.bcg (public datasets
# shipped with metafor) and a small synthetic set built below with a fixed seed.
suppressPackageStartupMessages({
  library(metafor)
  library(lme4)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)[1]))
out <- if (length(args)) args[1] else file.path(here, "metafor.json")

# ---- datasets ---------------------------------------------------------------------------
set.seed(20261202)
k_syn <- 8L
n_syn <- sample(15:60, k_syn, replace = TRUE)
x_syn <- rbinom(k_syn, n_syn, plogis(rnorm(k_syn, 0.3, 0.7)))
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
datasets <- list(
  pritz1997 = data.frame(study = as.character(dat.pritz1997$study),
                         events = dat.pritz1997$xi, n = dat.pritz1997$ni),
  synthetic = data.frame(study = paste0("s", seq_len(k_syn)), events = x_syn, n = n_syn),
  bcg = data.frame(study = as.character(bcg$trial), yi = as.numeric(bcg$yi),
                   vi = as.numeric(bcg$vi), ablat = bcg$ablat, year = bcg$year)
)

# ---- rma.glmm(measure = "PLO"): heterogeneity tests ------------------------------------
glmm_case <- function(name) {
  d <- datasets[[name]]
  fit <- rma.glmm(measure = "PLO", xi = d$events, ni = d$n)
  list(
    dataset = name,
    call = "metafor::rma.glmm(measure = \"PLO\", xi = events, ni = n)",
    estimate = as.numeric(fit$beta), se = fit$se, tau2 = fit$tau2,
    qe_wald = as.numeric(fit$QE.Wld), qe_lrt = as.numeric(fit$QE.LRT),
    qe_df = fit$QE.df, qe_wald_p = as.numeric(fit$QEp.Wld),
    qe_lrt_p = as.numeric(fit$QEp.LRT)
  )
}
glmm <- list(glmm_case("pritz1997"), glmm_case("synthetic"))

# ---- meta-regression -------------------------------------------------------------------
metareg_case <- function(method, covariate) {
  d <- datasets$bcg
  fit <- rma(d$yi, d$vi, mods = ~ d[[covariate]], method = method)
  list(
    dataset = "bcg", covariate = covariate, method = method,
    call = sprintf("metafor::rma(yi, vi, mods = ~ %s, method = \"%s\")", covariate, method),
    coef = as.numeric(fit$beta), se = fit$se, zval = fit$zval, pval = fit$pval,
    ci_lb = fit$ci.lb, ci_ub = fit$ci.ub,
    qm = fit$QM, qm_df = fit$QMdf[1], qm_p = fit$QMp,
    qe = fit$QE, qe_df = fit$k - fit$p, qe_p = fit$QEp,
    tau2 = fit$tau2, i2 = fit$I2, h2 = fit$H2, r2 = fit$R2
  )
}
metareg <- list(
  metareg_case("REML", "ablat"), metareg_case("DL", "ablat"),
  metareg_case("REML", "year"), metareg_case("DL", "year")
)

# ---- Egger's regression test -----------------------------------------------------------
egger_case <- function(name, yi, vi, method, model) {
  fit <- if (method == "EE") rma(yi, vi, method = "EE") else rma(yi, vi, method = method)
  r <- regtest(fit, model = model, predictor = "sei")
  list(
    dataset = name, method = method, model = model,
    call = sprintf("metafor::regtest(rma(yi, vi, method = \"%s\"), model = \"%s\", predictor = \"sei\")",
                   method, model),
    zval = as.numeric(r$zval), pval = as.numeric(r$pval), dfs = if (is.null(r$ddf)) NA else r$ddf,
    limit_estimate = as.numeric(r$est), limit_ci_lb = as.numeric(r$ci.lb),
    limit_ci_ub = as.numeric(r$ci.ub)
  )
}
pl <- escalc(measure = "PLO", xi = dat.pritz1997$xi, ni = dat.pritz1997$ni)
egger <- list(
  egger_case("bcg", datasets$bcg$yi, datasets$bcg$vi, "REML", "rma"),
  egger_case("bcg", datasets$bcg$yi, datasets$bcg$vi, "DL", "rma"),
  egger_case("bcg", datasets$bcg$yi, datasets$bcg$vi, "REML", "lm"),
  egger_case("pritz1997_plo", as.numeric(pl$yi), as.numeric(pl$vi), "REML", "rma"),
  egger_case("pritz1997_plo", as.numeric(pl$yi), as.numeric(pl$vi), "REML", "lm")
)
datasets$pritz1997_plo <- data.frame(study = datasets$pritz1997$study,
                                     yi = as.numeric(pl$yi), vi = as.numeric(pl$vi))

result <- list(
  meta = list(
    generated_by = "tests/reference/metafor.R",
    r_version = R.version.string,
    metafor_version = as.character(packageVersion("metafor")),
    lme4_version = as.character(packageVersion("lme4"))
  ),
  datasets = lapply(datasets, function(d) lapply(d, I)),
  glmm = glmm,
  metareg = metareg,
  egger = egger
)
write_json(result, out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE)
