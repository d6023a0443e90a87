# Checkpoints of mi_matrix(): the pairs already estimated, saved as they end,
# so that an interrupted or failed run can resume where it stopped.
#
# The file (an .rds) holds the inputs' fingerprint, the random stream of
# every pair and the results so far. A run with the same data and settings
# skips the pairs done and gives each other pair the stream it had in the
# first run, as batchtools reuses a registry's seed: the resumed matrix is
# identical to the one an uninterrupted run would have given, whatever the
# state of R's generator when resuming.

checkpoint_format <- "gmmmi_mi_matrix_checkpoint"

check_checkpoint <- function(path, env) {
  if (is.null(path)) return(NULL)
  if (!is.character(path) || length(path) != 1 || is.na(path) || !nzchar(path)) {
    gmmmi_abort("{.arg checkpoint} must be a file path (a string) or {.code NULL}, not {.obj_type_friendly {path}}.", env)
  }
  path <- path.expand(path)
  if (dir.exists(path)) {
    gmmmi_abort(c("{.arg checkpoint} must be a file, not a directory: {.file {path}}.",
                  "i" = "For instance {.code checkpoint = file.path(dir, \"mi.rds\")}."), env)
  }
  if (!dir.exists(dirname(path))) {
    gmmmi_abort("The directory of {.arg checkpoint} does not exist: {.file {dirname(path)}}.", env)
  }
  path
}

# What a checkpoint must match to be resumed: a digest of the data of each
# side (values, names and types) and the settings that change the results
# (not the threads, which do not).
checkpoint_inputs <- function(cols, job) {
  s <- job$settings
  list(x = data_digest(cols$x), y = if (cols$symmetric) NULL else data_digest(cols$y),
       n_bootstrap = job$n_bootstrap, mc_samples = job$mc_samples,
       n_permutations = job$n_permutations, units = s$units, prior = s$prior,
       marginal = s$marginal, control = s$control, gmmmi = getNamespaceVersion("gmmmi")[[1]])
}

# An MD5 digest of the serialised columns, without the header (which names
# the R version that wrote it).
data_digest <- function(cols) {
  bytes <- serialize(cols, NULL, xdr = TRUE, version = 2)
  file <- tempfile("gmmmi-digest-")
  on.exit(unlink(file))
  writeBin(bytes[-seq_len(14)], file)
  unname(tools::md5sum(file))
}

# The checkpoint at `path`: read and checked against the inputs, or a new one
# (not yet written) when there is no file.
open_checkpoint <- function(path, cols, job, seeds, env) {
  inputs <- checkpoint_inputs(cols, job)
  if (!file.exists(path)) {
    return(list(format = checkpoint_format, inputs = inputs, seeds = seeds,
                results = vector("list", length(seeds))))
  }
  store <- tryCatch(readRDS(path), error = function(e) NULL)
  if (!is.list(store) || !identical(store$format, checkpoint_format)) {
    gmmmi_abort(c("{.arg checkpoint} is not a checkpoint of {.fn mi_matrix}: {.file {path}}.",
                  "i" = "Choose another path, or delete the file."), env)
  }
  differ <- names(inputs)[!vapply(names(inputs), function(a) identical(inputs[[a]], store$inputs[[a]]),
                                  logical(1))]
  if (length(differ)) {
    what <- ifelse(differ == "gmmmi", "the version of gmmmi", sprintf("{.arg %s}", differ))
    gmmmi_abort(c("{.arg checkpoint} was written by a run with other inputs: {.file {path}}.",
                  "x" = paste("Not the same:", paste(what, collapse = ", ")),
                  "i" = "Resume with the same data and settings, or start afresh with another {.arg checkpoint} (or delete the file)."), env)
  }
  store
}

# Pairs per batch: a few per worker, so that workers rarely wait for the
# slowest pair of a batch, and a sequential run saves every few pairs; at
# most 32, so that a scheduler that reports a hundred workers (Slurm through
# future.batchtools) still saves often.
checkpoint_batch <- function(n_todo) {
  workers <- if (requireNamespace("future", quietly = TRUE)) future::nbrOfWorkers() else 1
  max(1, min(n_todo, 32, 4 * min(workers, 1e4)))
}

# Written to a temporary file beside it, then renamed: a run stopped while
# saving leaves the previous checkpoint whole.
write_checkpoint <- function(store, path) {
  tmp <- tempfile(".gmmmi-checkpoint-", tmpdir = dirname(path), fileext = ".rds")
  saveRDS(store, tmp)
  if (!file.rename(tmp, path)) {
    unlink(tmp)
    cli::cli_abort("Could not write the checkpoint {.file {path}}.",
                   class = c("gmmmi_error_checkpoint", "gmmmi_error"))
  }
}

# A batch that stopped with an error of the future backend (a worker that
# died, a job that the scheduler killed): the pairs saved so far are kept.
checkpoint_stopped <- function(error, store, path, env) {
  done <- sum(vapply(store$results, pair_done, logical(1)))
  cli::cli_abort(c("The pairs stopped with an error.",
                   "i" = "{done} of {length(store$results)} pairs are saved in {.file {path}}; run the same call again to resume."),
                 parent = error, class = c("gmmmi_error_checkpoint", "gmmmi_error"), call = env)
}
