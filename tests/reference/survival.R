# Expected values for tests/analysis/test_survival*.py and test_cox*.py, computed by R's
# survival package: Kaplan-Meier (survfit, print and summary(times =)), log-rank (survdiff),
# the median as print(survfit) and as quantile(survfit), Cox models (coxph, Efron and Breslow ties) and the proportional-hazards test (cox.zph,
# the score test of survival >= 3.0).
#
# Usage: Rscript tests/reference/survival.R [OUT.json]   (default: survival.json beside
# this script). The inputs are written into the same file, so the Python tests read the
# data and the expected values from one place. Datasets: survival::aml, survival::lung and
# survival::veteran (public datasets shipped with R's survival package) and small synthetic
# sets built below with a fixed seed.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
here <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)[1]))
out <- if (length(args)) args[1] else file.path(here, "survival.json")

# Factor levels in C-locale order, whatever the machine's locale (Python sorts the same way).
radix_factor <- function(x) factor(x, levels = sort(unique(x), method = "radix"))

# ---- datasets ---------------------------------------------------------------------------
datasets <- list()
datasets$aml <- data.frame(time = aml$time, status = aml$status, x = as.character(aml$x))
datasets$lung <- data.frame(
  time = lung$time, status = lung$status - 1L, sex = lung$sex, age = lung$age,
  ph_ecog = lung$ph.ecog
)
datasets$veteran <- data.frame(
  time = veteran$time, status = veteran$status, trt = veteran$trt,
  celltype = as.character(veteran$celltype), karno = veteran$karno
)
# Synthetic, heavily tied (whole months), three groups and a three-level categorical.
set.seed(20261202)
n <- 60
group <- rep(c("a", "b", "c"), each = n / 3)
smoking <- sample(c("current", "former", "never"), n, replace = TRUE)
age <- round(rnorm(n, 50, 10))
rate <- 0.08 * c(a = 1, b = 1.8, c = 0.6)[group] * c(current = 1.7, former = 1.2, never = 1)[smoking]
event_time <- pmax(1, ceiling(rexp(n, rate)))
censor_time <- ceiling(runif(n, 6, 30))
datasets$tied <- data.frame(
  time = pmin(event_time, censor_time), status = as.integer(event_time <= censor_time),
  group = group, smoking = smoking, age = age
)
# Median not reached: 4 events among 20 patients.
datasets$not_reached <- data.frame(
  time = c(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 24),
  status = as.integer(c(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 24) %in%
    c(2, 5, 9, 14))
)
# The curve sits exactly at 0.5 over a stretch: midpoint rule (inside, and at the end).
datasets$flat <- data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 1, 1))
datasets$flat_end <- data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 0, 0))
# The curve falls to 0 at the last time while the upper band is still above 0.5: UCL NA.
datasets$falls_to_zero <- data.frame(time = c(1, 2, 3, 4, 5), status = c(1, 0, 1, 0, 1))
# Times equal but for rounding error (differences 1e-9, 1e-10, 2e-9; 1e-6 is a real
# difference): R's timefix (aeqSurv) treats the first three pairs as ties.
datasets$near_ties <- data.frame(
  time = c(1, 1 + 1e-9, 2, 2 + 1e-6, 3, 3 - 1e-10, 4, 5, 5 + 2e-9, 6),
  status = c(1, 1, 1, 0, 1, 1, 0, 1, 1, 0), x = c(0, 1, 0, 1, 0, 1, 0, 1, 1, 0)
)
# Events and a censoring at time 0 (a response seen at the index visit).
datasets$zero_time <- data.frame(
  time = c(0, 0, 1, 2, 3, 3, 4, 6), status = c(1, 0, 1, 1, 0, 1, 0, 1)
)

prepare <- function(name) {
  d <- datasets[[name]]
  for (col in names(d)) if (is.character(d[[col]])) d[[col]] <- radix_factor(d[[col]])
  d
}

# ---- Kaplan-Meier -----------------------------------------------------------------------
strata_of <- function(fit) {
  if (is.null(fit$strata)) return(rep("all", length(fit$time)))
  sub("^[^=]*=", "", rep(names(fit$strata), fit$strata))
}

km_case <- function(data, group, conf_type, times) {
  d <- prepare(data)
  f <- if (is.null(group)) Surv(time, status) ~ 1 else
    as.formula(paste("Surv(time, status) ~", group))
  fit <- survfit(f, data = d, conf.type = conf_type)
  tab <- summary(fit)$table
  if (is.null(dim(tab))) tab <- t(as.matrix(tab))
  medians <- list(
    group = I(if (is.null(group)) "all" else sub("^[^=]*=", "", rownames(tab))),
    n = I(unname(tab[, "records"])), events = I(unname(tab[, "events"])),
    median = I(unname(tab[, "median"])), ci_low = I(unname(tab[, "0.95LCL"])),
    ci_high = I(unname(tab[, "0.95UCL"]))
  )
  q <- quantile(fit, 0.5)
  quantiles <- list(
    median = I(unname(as.vector(q$quantile))), ci_low = I(unname(as.vector(q$lower))),
    ci_high = I(unname(as.vector(q$upper)))
  )
  curve <- list(
    group = I(strata_of(fit)), time = I(fit$time), n_risk = I(fit$n.risk),
    n_event = I(fit$n.event), n_censor = I(fit$n.censor), survival = I(fit$surv),
    std_err = I(fit$surv * fit$std.err), ci_low = I(fit$lower), ci_high = I(fit$upper)
  )
  at_times <- function(extend) {
    at <- summary(fit, times = times, extend = extend)
    list(
      group = I(if (is.null(at$strata)) rep("all", length(at$time)) else
        sub("^[^=]*=", "", as.character(at$strata))),
      time = I(at$time), n_risk = I(at$n.risk), n_event = I(at$n.event),
      survival = I(at$surv), std_err = I(at$std.err), ci_low = I(at$lower),
      ci_high = I(at$upper)
    )
  }
  list(
    data = data, group = if (is.null(group)) NA else group, conf_type = conf_type,
    times = I(times),
    call = paste0("survfit(", deparse(f), ", conf.type = \"", conf_type, "\")"),
    curve = curve, medians = medians, quantile_medians = quantiles,
    at_times = at_times(FALSE), at_times_extended = at_times(TRUE)
  )
}

km <- list()
for (conf_type in c("log", "log-log")) {
  km[[length(km) + 1]] <- km_case("aml", "x", conf_type, c(0, 12, 13, 30, 45, 100))
  km[[length(km) + 1]] <- km_case("lung", "sex", conf_type, c(0, 100, 365, 730, 1000))
  km[[length(km) + 1]] <- km_case("lung", NULL, conf_type, c(30, 180, 365.25))
  km[[length(km) + 1]] <- km_case("tied", "group", conf_type, c(1, 3, 6, 12, 18, 24))
  km[[length(km) + 1]] <- km_case("not_reached", NULL, conf_type, c(1, 5, 14, 20, 24))
  km[[length(km) + 1]] <- km_case("flat", NULL, conf_type, c(2, 2.5, 4))
  km[[length(km) + 1]] <- km_case("flat_end", NULL, conf_type, c(2, 3))
  km[[length(km) + 1]] <- km_case("falls_to_zero", NULL, conf_type, c(1, 3, 5))
  km[[length(km) + 1]] <- km_case("zero_time", NULL, conf_type, c(0, 1, 3.5, 6))
  km[[length(km) + 1]] <- km_case("near_ties", "x", conf_type, c(1, 2, 3, 5))
  km[[length(km) + 1]] <- km_case("veteran", "celltype", conf_type, c(30, 90, 180))
}

# ---- log-rank ---------------------------------------------------------------------------
logrank_case <- function(data, group) {
  d <- prepare(data)
  f <- as.formula(paste("Surv(time, status) ~", group))
  fit <- survdiff(f, data = d)
  df <- sum(fit$exp > 0) - 1
  list(
    data = data, group = group, call = paste0("survdiff(", deparse(f), ")"),
    chisq = fit$chisq, df = df, p = pchisq(fit$chisq, df, lower.tail = FALSE),
    levels = I(sub("^[^=]*=", "", names(fit$n))), n = I(as.vector(fit$n)),
    observed = I(as.vector(fit$obs)), expected = I(as.vector(fit$exp))
  )
}
logrank <- list(
  logrank_case("aml", "x"), logrank_case("lung", "sex"), logrank_case("tied", "group"),
  logrank_case("veteran", "celltype"), logrank_case("near_ties", "x")
)

# ---- Cox models and cox.zph -------------------------------------------------------------
cox_case <- function(data, covariates, ties) {
  d <- prepare(data)
  d <- d[complete.cases(d[, c("time", "status", covariates)]), ]
  f <- as.formula(paste("Surv(time, status) ~", paste(covariates, collapse = " + ")))
  fit <- coxph(f, data = d, ties = ties)
  s <- summary(fit)
  ci <- s$conf.int
  nvar <- length(fit$coefficients)
  zph <- lapply(c("km", "identity", "rank", "log"), function(tr) {
    z <- cox.zph(fit, transform = tr)
    list(transform = tr, term = I(rownames(z$table)), chisq = I(unname(z$table[, "chisq"])),
      df = I(unname(z$table[, "df"])), p = I(unname(z$table[, "p"])))
  })
  list(
    data = data, covariates = I(covariates), ties = ties,
    call = paste0("coxph(", deparse(f), ", ties = \"", ties, "\")"),
    n = fit$n, events = fit$nevent, iterations = fit$iter,
    term = I(names(fit$coefficients)), coef = I(unname(fit$coefficients)),
    se = I(unname(sqrt(diag(fit$var)))), hazard_ratio = I(unname(exp(fit$coefficients))),
    ci_low = I(unname(ci[, "lower .95"])), ci_high = I(unname(ci[, "upper .95"])),
    z = I(unname(s$coefficients[, "z"])), p = I(unname(s$coefficients[, "Pr(>|z|)"])),
    loglik = I(fit$loglik),
    likelihood_ratio = list(statistic = unname(s$logtest["test"]), df = nvar,
      p = unname(s$logtest["pvalue"])),
    wald = list(statistic = unname(fit$wald.test), df = nvar,
      p = unname(s$waldtest["pvalue"])),
    score = list(statistic = unname(s$sctest["test"]), df = nvar,
      p = unname(s$sctest["pvalue"])),
    zph = zph
  )
}
cox <- list(
  cox_case("lung", "sex", "efron"),
  cox_case("lung", c("age", "sex"), "efron"),
  cox_case("lung", c("age", "sex"), "breslow"),
  cox_case("aml", "x", "efron"),
  cox_case("veteran", c("karno", "celltype"), "efron"),
  cox_case("tied", c("age", "smoking"), "efron"),
  cox_case("tied", c("age", "smoking"), "breslow"),
  cox_case("near_ties", "x", "efron")
)

result <- list(
  meta = list(
    generated_by = "tests/reference/survival.R",
    r_version = R.version.string,
    survival_version = as.character(packageVersion("survival"))
  ),
  datasets = lapply(datasets, function(d) lapply(d, I)),
  kaplan_meier = km,
  log_rank = logrank,
  cox = cox
)
write_json(result, out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE)
