# Sends SIGINT to this process from a forked child `delay` seconds after
# `expr` starts (as Ctrl-C would) and returns how the call ended
# ("interrupted" or "finished") and the seconds from the signal to its
# return. The handler also covers an interrupt that arrives after `expr`
# finished, so the signal can never escape the test.
interrupt_latency <- function(expr, delay = 1) {
  parent <- Sys.getpid()
  child <- parallel::mcparallel({
    Sys.sleep(delay)
    sent <- Sys.time()
    tools::pskill(parent, tools::SIGINT)
    sent
  }, silent = TRUE)
  started <- Sys.time()
  outcome <- tryCatch({
    force(expr)
    "finished"
  }, interrupt = function(e) "interrupted")
  returned <- Sys.time()
  sent <- tryCatch(parallel::mccollect(child, wait = TRUE)[[1]], interrupt = function(e) NULL)
  list(outcome = outcome, sent = sent,
       latency = if (inherits(sent, "POSIXct")) as.numeric(difftime(returned, sent, units = "secs")) else NA_real_,
       ran = as.numeric(difftime(returned, started, units = "secs")))
}
