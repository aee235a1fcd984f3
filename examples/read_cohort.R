# Read a cohort from a clears server with an API token (R, httr2).
#
# Make a read token on the server's "API tokens" page (or `clears tokens create`), then:
#
#   Sys.setenv(CLEARS_URL = "https://clears.example.org")
#   Sys.setenv(CLEARS_TOKEN = "clears_...")   # never write the token into the script
#   source("examples/read_cohort.R")
#
# `patients` is then every patient the token may see (the list walked page by page), and
# `record` one patient's baseline values and visits (the first patient's, or argument 1 of
# `Rscript examples/read_cohort.R P01`).

library(httr2)

clears_request <- function(path) {
  request(Sys.getenv("CLEARS_URL")) |>
    req_url_path(path) |>
    req_auth_bearer_token(Sys.getenv("CLEARS_TOKEN")) |>
    req_timeout(30)
}

read_patients <- function(page_size = 200) {
  rows <- list()
  cursor <- NULL
  repeat {
    page <- clears_request("/api/patients") |>
      req_url_query(limit = page_size, cursor = cursor) |>
      req_perform() |>
      resp_body_json()
    rows <- c(rows, page$patients)
    if (is.null(page$next_cursor)) break
    cursor <- page$next_cursor
  }
  field <- function(name) vapply(rows, function(r) {
    value <- r[[name]]
    if (is.null(value)) NA_character_ else as.character(value)
  }, character(1))
  data.frame(
    patient_id = field("patient_id"),
    centre = field("centre"),
    drug = field("drug"),
    dose_mg_per_day = as.numeric(field("dose_mg_per_day")),
    last_visit = as.Date(field("last_visit"))
  )
}

read_record <- function(patient_id) {
  id <- utils::URLencode(patient_id, reserved = TRUE)
  list(
    patient = clears_request(paste0("/api/patients/", id)) |> req_perform() |> resp_body_json(),
    visits = clears_request(paste0("/api/patients/", id, "/records/visits")) |>
      req_perform() |> resp_body_json()
  )
}

patients <- read_patients()
print(patients)
wanted <- commandArgs(trailingOnly = TRUE)
if (nrow(patients) > 0) {
  record <- read_record(if (length(wanted) > 0) wanted[[1]] else patients$patient_id[[1]])
  str(record, max.level = 2)
}
