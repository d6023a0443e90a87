#' Mutual information between every pair of columns
#'
#' Estimates, with [gmm_mi()], the mutual information between each column of
#' `x` and each column of `y`: for instance between every latent variable of a
#' learned representation (`x`) and every known generating factor (`y`). A
#' matrix with one large entry per column, and the rest near zero, is the mark
#' of a disentangled representation. Factor, character and logical columns are
#' categories: [gmm_mi()] then fits one mixture per category, or takes the
#' plug-in MI of two categories.
#'
#' The pairs are independent tasks, distributed by
#' [future.apply::future_lapply()]: the default (sequential) plan runs them one
#' after another in this session, and `future::plan(future::multisession,
#' workers = 4)` (or any other backend of the future framework, such as a
#' cluster) runs them in parallel. Every pair draws from its own random stream
#' derived from R's generator, so `set.seed()` gives identical estimates under
#' any plan and any number of workers. Within each pair, [gmm_mi()] uses
#' `n_threads` threads: by default `getOption("gmmmi.threads")` or every core
#' under a sequential plan, and one thread per worker under any other plan, so
#' that workers do not compete for cores: the threads in use are the workers
#' times `n_threads`, which should not exceed the cores of a machine (with
#' `n_threads = 2` on a plan of 4 workers, 8 cores). Progress is reported
#' through the progressr package when it is installed: wrap the call in
#' `progressr::with_progress()` to see it.
#'
#' @section Large matrices, clusters and checkpoints:
#' A matrix of 64 latents by 10 factors at tens of thousands of rows is
#' hundreds of pairs of a few seconds each. Give `checkpoint` a file path and
#' the pairs are saved there as they end (in batches of a few pairs per
#' worker, each written to a temporary file and then renamed, so that the file
#' is never left half-written). If the run stops (an interrupt, a worker or
#' job that dies, a pair that fails with an unexpected error), call
#' `mi_matrix()` again with the same data, settings and `checkpoint`: the
#' pairs saved are read back, only the others are estimated, and the matrix
#' is identical to the one an uninterrupted run would have given. The random
#' stream of every pair is kept in the checkpoint with its results, so this
#' holds whatever `set.seed()` was called before resuming (as a batchtools
#' registry keeps its seed); with other data or settings the call stops with
#' an error naming what differs. Once the matrix is complete, the same call
#' reads it from the file at once; delete the file to estimate afresh.
#'
#' The future framework sends the pairs wherever its plan says. On a
#' Slurm, PBS/Torque, SGE or LSF cluster, the future.batchtools package runs
#' each pair as a job of the scheduler, from a template file that asks for
#' the cores and memory of one job:
#' ```
#' library(future)
#' plan(future.batchtools::batchtools_slurm, template = "slurm.tmpl",
#'      resources = list(ncpus = 2, memory = "4GB", walltime = 3600))
#' m <- mi_matrix(latents, factors, n_threads = 2,
#'                checkpoint = "~/runs/mi-latents.rds")
#' ```
#' (`batchtools_torque` for PBS/Torque.) Give `n_threads` the cores that each
#' job asks for: without it, each pair takes one thread under any parallel
#' plan. The session that calls `mi_matrix()` keeps the checkpoint, so run it
#' where it can stay up (a login node, or a job of its own) and call it again
#' if it stops.
#'
#' @param x A data frame, matrix or vector: the first set of variables, one per
#'   column (for instance the latents).
#' @param y A data frame, matrix or vector with the same number of rows (for
#'   instance the generating factors), or `NULL` for the MI between every two
#'   columns of `x`.
#' @param ... Settings passed to [gmm_mi()]: `units`, `prior`, `marginal`,
#'   `control` and `n_threads` (with `marginal = "auto"`, the default under
#'   the default rule, each pair chooses its own coding of the margins).
#' @param n_bootstrap,mc_samples Bootstrap refits and Monte Carlo draws for
#'   each pair, as in [gmm_mi()].
#' @param n_permutations If positive, each pair is also tested for
#'   independence by [mi_test()] with this many permutations (with at most
#'   `1e4` Monte Carlo draws per fit), and `p_value` holds the p-values: a
#'   small estimate whose p-value is large cannot be told from zero.
#' @param na.action What to do with rows that have a missing value in any
#'   column of `x` or `y`: as in [gmm_mi()], by default
#'   `getOption("na.action")`, which leaves them out ([stats::na.omit()]);
#'   every pair is then estimated on the same complete rows.
#' @param checkpoint `NULL` (the default), or the path of a file (`.rds`) in
#'   which the pairs are saved as they end and from which a run with the same
#'   inputs resumes: see the section on checkpoints below. Its directory must
#'   exist.
#' @return An object of class `"mi_matrix"`: `estimate` and `se` (matrices with
#'   a row per column of `x` and a column per column of `y`; with `y = NULL`
#'   symmetric with an `NA` diagonal), `mc_se`, `bootstrap` (an array of the
#'   bootstrap values, rows x columns x refits), `type` (the kind of each
#'   estimate: `"continuous"`, `"categorical"` or `"discrete"`), `marginal`
#'   (the coding of the margins each pair was fitted on: `"none"` or
#'   `"gaussian_copula"`; `NA` for two categories), `entropy` (a
#'   list with the plug-in entropies of the categorical rows and columns, `NA`
#'   for continuous ones), `full_data` (each pair's full-data MI, from which
#'   the bias-corrected estimate and its interval are made), `entropy_bound`
#'   (the entropy of a discrete side, `Inf` if none), `p_value` (with
#'   `n_permutations > 0`, else `NA`), `units`, `n` (the rows used),
#'   `n_bootstrap`, `mc_samples`, `symmetric`, `na_action` (the rows left out
#'   for missing values, or `NULL`), `failures` (a data frame with `x`, `y`
#'   and `message` for each pair left `NA` because it could not be
#'   estimated; no rows when every pair was) and `call`.
#' @seealso [mi_gap()] for a disentanglement summary, [plot.mi_matrix()].
#' @examples
#' set.seed(1)
#' n <- 500
#' shape <- factor(sample(c("cube", "ball"), n, replace = TRUE))
#' size <- runif(n)
#' latents <- data.frame(z1 = (shape == "cube") + rnorm(n, sd = 0.3),
#'                       z2 = size + rnorm(n, sd = 0.1))
#' m <- mi_matrix(latents, data.frame(shape, size), n_bootstrap = 5,
#'                mc_samples = 2000, n_threads = 1)
#' m
#' mi_gap(m)
#' plot(m)
#' # Saved pair by pair: the same call resumes a run that stopped.
#' path <- tempfile(fileext = ".rds")
#' m <- mi_matrix(latents, shape, n_bootstrap = 5, mc_samples = 2000,
#'                n_threads = 1, checkpoint = path)
#' unlink(path)
#' @export
mi_matrix <- function(x, y = NULL, ..., n_bootstrap = 50, mc_samples = 1e5, n_permutations = 0,
                      na.action = getOption("na.action"), checkpoint = NULL) {
  call <- match.call()
  env <- this_call()
  job <- list(n_bootstrap = check_whole(n_bootstrap, "n_bootstrap", env, min = 0, max = 1e6),
              mc_samples = check_whole(mc_samples, "mc_samples", env, min = 1, max = 1e9),
              n_permutations = check_whole(n_permutations, "n_permutations", env, min = 0, max = 1e6),
              settings = mi_matrix_settings(list(...), env))
  checkpoint <- check_checkpoint(checkpoint, env)
  cols <- matrix_columns(x, y, na.action, env)
  tasks <- matrix_tasks(length(cols$x), length(cols$y), cols$symmetric)
  out <- run_pairs(cols, tasks, job, checkpoint, env)
  m <- fill_matrix(out, cols, tasks, job$n_bootstrap, env)
  units <- job$settings$units
  entropy <- list(rows = column_entropies(cols$x, units), cols = column_entropies(cols$y, units))
  structure(list(estimate = m$estimate, se = m$se, mc_se = m$mc_se, full_data = m$full_data,
                 entropy_bound = m$entropy_bound, p_value = m$p_value,
                 bias_correction = m$bias_correction, interval = job$settings$control$interval,
                 bootstrap = m$bootstrap, type = m$type, marginal = m$marginal, entropy = entropy,
                 units = units, n = cols$n, n_bootstrap = job$n_bootstrap,
                 mc_samples = job$mc_samples, symmetric = cols$symmetric, na_action = cols$omitted,
                 failures = m$failures, call = call),
            class = "mi_matrix")
}

# The validated columns of x and y (y = x when y is NULL) on the complete
# rows, with the rows left out.
matrix_columns <- function(x, y, na.action, env) {
  rows <- drop_missing(list(x = x, y = y), na.action, env)
  xcols <- as_columns(rows$data$x, "x", env)
  symmetric <- is.null(rows$data$y)
  if (symmetric) {
    if (length(xcols) < 2) {
      gmmmi_abort(c("With {.arg y} = {.code NULL}, {.arg x} needs at least two columns.",
                    "x" = "It has {length(xcols)}."), env)
    }
    ycols <- xcols
  } else {
    ycols <- as_columns(rows$data$y, "y", env)
    if (length(ycols[[1]]) != length(xcols[[1]])) {
      gmmmi_abort("{.arg x} and {.arg y} must have the same number of rows, not {length(xcols[[1]])} and {length(ycols[[1]])}.", env)
    }
  }
  list(x = xcols, y = ycols, symmetric = symmetric, n = length(xcols[[1]]), omitted = rows$omitted)
}

# The pairs (row, column) to estimate: every cell, or the upper triangle of a
# symmetric matrix.
matrix_tasks <- function(nx, ny, symmetric) {
  tasks <- if (symmetric) which(upper.tri(diag(nx)), arr.ind = TRUE) else
    as.matrix(expand.grid(row = seq_len(nx), col = seq_len(ny)))
  unname(tasks)
}

# Runs the pairs not yet done (all of them without a checkpoint) and returns
# one result per pair. Each pair has its own random stream, drawn for all the
# pairs at once (or read from the checkpoint), so a pair's result does not
# depend on which other pairs run, nor where, nor in which batch.
run_pairs <- function(cols, tasks, job, checkpoint, env) {
  seeds <- pair_seeds(nrow(tasks))
  store <- if (is.null(checkpoint)) NULL else open_checkpoint(checkpoint, cols, job, seeds, env)
  out <- if (is.null(store)) vector("list", nrow(tasks)) else store$results
  if (!is.null(store)) seeds <- store$seeds
  todo <- which(!vapply(out, pair_done, logical(1)))
  progress <- pair_progress(length(todo))
  run <- pair_task(cols$x, cols$y, tasks, job, progress)
  # Without a checkpoint the pairs go out in one call. With one, in batches of
  # a few pairs per worker, each saved as it ends: the batch is what an
  # interruption loses.
  size <- if (is.null(store)) length(todo) else checkpoint_batch(length(todo))
  for (batch in split(todo, ceiling(seq_along(todo) / size))) {
    # Pairs can differ in cost by ten times or more (a category costs one
    # mixture per level), so under a parallel plan they go out one per future
    # and an idle worker takes the next pair; a future costs a few
    # milliseconds, which a sequential plan need not pay.
    res <- tryCatch(
      future.apply::future_lapply(batch, run, future.seed = seeds[batch],
                                  future.scheduling = if (plan_is_sequential()) 1 else Inf),
      error = function(e) if (is.null(store)) stop(e) else checkpoint_stopped(e, store, checkpoint, env))
    out[batch] <- res
    if (!is.null(store)) {
      store$results <- out
      write_checkpoint(store, checkpoint)
    }
  }
  out
}

# The random stream (an L'Ecuyer-CMRG seed) of each of `count` pairs, drawn
# from R's generator exactly as future_lapply(future.seed = TRUE) draws them,
# so that a matrix is the same as before checkpoints existed; R's generator
# moves on by one draw, as it did then.
pair_seeds <- function(count) {
  genv <- globalenv()
  old <- genv$.Random.seed
  seed <- old
  if (!(is.numeric(old) && length(old) == 7L && old[1] %% 10000L == 407L)) {
    RNGkind("L'Ecuyer-CMRG")
    seed <- genv$.Random.seed
    if (is.null(old)) rm(".Random.seed", envir = genv) else genv$.Random.seed <- old
  }
  sample.int(1L, 1L)
  seeds <- vector("list", count)
  for (k in seq_len(count)) {
    seeds[[k]] <- parallel::nextRNGSubStream(seed)
    seed <- parallel::nextRNGStream(seed)
  }
  seeds
}

# A pair is done when it has a result, or an error that a re-run would only
# repeat (a fit that cannot be made, data that gmm_mi() refuses); other
# errors (memory, a crashed worker, anything unexpected) are tried again.
pair_done <- function(r) {
  !is.null(r) && (is.null(r$error) || inherits(r$error, c("gmmmi_error_fit", "gmmmi_error_input")))
}

# The matrices of mi_matrix() from the pairs' results. A pair that gmm_mi()
# refuses stops the matrix; a pair whose fit fails, or that failed otherwise,
# is left NA and listed in `failures`, with one warning for all of them.
fill_matrix <- function(out, cols, tasks, n_bootstrap, env) {
  labels <- list(names(cols$x), names(cols$y))
  empty <- matrix(NA_real_, length(labels[[1]]), length(labels[[2]]), dimnames = labels)
  m <- list(estimate = empty, se = empty, mc_se = empty, full_data = empty, entropy_bound = empty,
            p_value = empty, bias_correction = empty == 1, type = empty, marginal = empty,
            bootstrap = array(NA_real_, c(dim(empty), n_bootstrap), dimnames = c(labels, list(NULL))))
  storage.mode(m$type) <- storage.mode(m$marginal) <- "character"
  pair_names <- sprintf("%s ~ %s", labels[[1]][tasks[, 1]], labels[[2]][tasks[, 2]])
  failed <- integer(0)
  for (k in seq_along(out)) {
    r <- out[[k]]
    if (!is.null(r$error)) {
      if (inherits(r$error, "gmmmi_error_input")) pair_refused(r$error, tasks[k, ], cols, env)
      failed <- c(failed, k)
      next
    }
    idx <- rbind(tasks[k, ], if (cols$symmetric) rev(tasks[k, ]))
    for (f in c("estimate", "se", "mc_se", "full_data", "entropy_bound", "p_value",
                "bias_correction", "type", "marginal")) {
      m[[f]][idx] <- r[[f]]
    }
    for (b in seq_len(n_bootstrap)) m$bootstrap[cbind(idx, b)] <- r$bootstrap[b]
  }
  relay_pair_warnings(out, function(k) pair_names[k], nrow(tasks))
  m$failures <- data.frame(x = labels[[1]][tasks[failed, 1]], y = labels[[2]][tasks[failed, 2]],
                           message = vapply(out[failed], function(r) conditionMessage(r$error), ""),
                           stringsAsFactors = FALSE)
  warn_failed_pairs(out[failed], pair_names[failed])
  m
}

pair_refused <- function(error, task, cols, env) {
  cli::cli_abort(c("Could not estimate the MI of column {.field {names(cols$x)[task[1]]}} of {.arg x} and column {.field {names(cols$y)[task[2]]}} of {.arg {if (cols$symmetric) 'x' else 'y'}}."),
                 parent = error, class = c("gmmmi_error_input", "gmmmi_error"), call = env)
}

# One warning for the pairs left NA: those whose mixtures could not be
# fitted, and those that failed otherwise (which a re-run with the same
# checkpoint tries again).
warn_failed_pairs <- function(results, names) {
  if (!length(results)) return(invisible())
  fit <- vapply(results, function(r) inherits(r$error, "gmmmi_error_fit"), logical(1))
  other <- names[!fit]
  why <- vapply(results[!fit], function(r) strsplit(conditionMessage(r$error), "\n")[[1]][1], "")
  lines <- gsub("}", "}}", gsub("{", "{{", sprintf("%s: %s", other, why), fixed = TRUE), fixed = TRUE)
  cli::cli_warn(c("{length(results)} pair{?s} could not be estimated; {?its/their} entries are {.code NA} (see {.field $failures}).",
                  "x" = if (any(fit)) "The mixtures could not be fitted: {.field {names[fit]}}.",
                  stats::setNames(lines[seq_len(min(5, length(lines)))], rep("x", min(5, length(lines)))),
                  "i" = if (length(other)) "Run again with the same {.arg checkpoint} to retry the pairs that failed with an error."),
                class = "gmmmi_warning_pair_failed")
}

# Validates what mi_matrix() passes on to gmm_mi(), and decides the threads
# of each pair: one per worker under a parallel plan.
mi_matrix_settings <- function(dots, env) {
  allowed <- c("units", "prior", "marginal", "control", "n_threads")
  nm <- names(dots)
  if (length(dots) && (is.null(nm) || any(!nzchar(nm)))) {
    gmmmi_abort(c("Every argument in {.arg ...} must be named.",
                  "i" = "{.fn mi_matrix} passes {.arg {allowed}} on to {.fn gmm_mi}."), env)
  }
  bad <- setdiff(nm, allowed)
  if (length(bad)) {
    gmmmi_abort(c("Unknown argument{?s} in {.arg ...}: {.arg {bad}}.",
                  "i" = "{.fn mi_matrix} passes only {.arg {allowed}} on to {.fn gmm_mi}."), env)
  }
  # A setting left out (or NULL) takes gmm_mi()'s default.
  s <- formal_defaults(gmm_mi.default, c("units", "prior", "control"))
  given <- Filter(Negate(is.null), dots[intersect(names(dots), names(s))])
  s[names(given)] <- given
  units <- check_choice(s$units, c("nat", "bit"), "units", env)
  prior <- check_choice(s$prior, c("empirical", "uniform"), "prior", env)
  control <- check_control(s$control, env)
  marginal <- resolve_marginal(dots$marginal, control, env)
  n_threads <- if (!is.null(dots$n_threads)) resolve_threads(dots$n_threads, env) else
    if (plan_is_sequential()) resolve_threads(NULL, env) else 1L
  list(units = units, prior = prior, marginal = marginal, control = control, n_threads = n_threads)
}

plan_is_sequential <- function() {
  !requireNamespace("future", quietly = TRUE) || inherits(future::plan(), "sequential")
}

# A progressr progressor when progressr is installed, otherwise a no-op.
pair_progress <- function(steps) {
  caller <- parent.frame()
  if (requireNamespace("progressr", quietly = TRUE)) {
    progressr::progressor(steps = steps, envir = caller)
  } else {
    function(...) invisible(NULL)
  }
}

# The function run for each pair. It is built here, in a small environment,
# so that a future backend ships only the columns and settings to its workers.
# Errors come back as values (so that a failed pair leaves an NA instead of
# stopping the matrix), stripped to their message and class so that they
# travel and save light; warnings come back as messages, relayed once for all
# pairs by relay_pair_warnings().
pair_task <- function(xcols, ycols, tasks, job, progress) {
  force(progress)
  settings <- job$settings
  function(k) {
    # Progress is counted in pairs, by progressr; the bootstrap bar that an
    # interactive gmm_mi() shows would draw over it, so it stays hidden.
    old <- options(cli.progress_show_after = Inf)
    on.exit(options(old), add = TRUE)
    warnings <- list()
    res <- withCallingHandlers(
      tryCatch({
        r <- gmm_mi(xcols[[tasks[k, 1]]], ycols[[tasks[k, 2]]], n_bootstrap = job$n_bootstrap,
                    mc_samples = job$mc_samples, units = settings$units, prior = settings$prior,
                    marginal = settings$marginal, control = settings$control, n_threads = settings$n_threads)
        p <- if (job$n_permutations > 0) {
          mi_test(r, job$n_permutations, min(job$mc_samples, 1e4), settings$n_threads)$p.value
        } else NA_real_
        list(fit = r, p_value = p)
      }, error = function(e) e),
      warning = function(w) {
        # (mi_matrix() has said it once per column)
        if (inherits(w, "gmmmi_warning_numeric_labels")) invokeRestart("muffleWarning")
        warnings[[length(warnings) + 1]] <<- list(message = conditionMessage(w),
                                                  class = setdiff(class(w), c("rlang_warning", "warning", "condition")))
        invokeRestart("muffleWarning")
      })
    progress()
    if (inherits(res, "error")) {
      error <- structure(list(message = conditionMessage(res), call = NULL),
                         class = setdiff(class(res), "rlang_error"))
      return(list(error = error, warnings = warnings))
    }
    r <- res$fit
    list(estimate = r$estimate, se = r$se, mc_se = r$mc_se, full_data = r$full_data,
         entropy_bound = r$entropy_bound, p_value = res$p_value, bias_correction = r$bias_correction,
         bootstrap = r$bootstrap, type = r$type, marginal = r$marginal, warnings = warnings)
  }
}
# One warning per distinct message, naming the pairs that gave it and keeping
# its class (so that callers can still muffle a kind of warning).
relay_pair_warnings <- function(out, pair_name, n_pairs) {
  msgs <- list()
  for (k in seq_along(out)) {
    for (w in out[[k]]$warnings) {
      key <- w$message
      if (is.null(msgs[[key]])) msgs[[key]] <- list(class = w$class, pairs = character(0))
      msgs[[key]]$pairs <- c(msgs[[key]]$pairs, pair_name(k))
    }
  }
  for (key in names(msgs)) {
    pairs <- unique(msgs[[key]]$pairs)
    shown <- pairs[seq_len(min(5, length(pairs)))]
    more <- if (length(pairs) > 5) sprintf(" and %d more", length(pairs) - 5) else ""
    lines <- gsub("}", "}}", gsub("{", "{{", strsplit(key, "\n", fixed = TRUE)[[1]], fixed = TRUE), fixed = TRUE)
    cli::cli_warn(c(lines[1], stats::setNames(lines[-1], rep(" ", length(lines) - 1)),
                    "i" = "In {length(pairs)} of {n_pairs} pair{?s}: {.field {shown}}{more}."),
                  class = msgs[[key]]$class)
  }
}

# The columns of a data frame, matrix or vector as a named list of validated
# vectors: numeric ones finite and varying, categorical ones complete with at
# least two categories.
as_columns <- function(x, arg, call) {
  if (is.data.frame(x)) {
    cols <- as.list(x)
  } else if (is.matrix(x) && (is.numeric(x) || is.character(x) || is.logical(x))) {
    cols <- lapply(seq_len(ncol(x)), function(j) x[, j])
    names(cols) <- colnames(x)
  } else if (is.atomic(x) && is.null(dim(x)) && !is.null(x)) {
    cols <- list(x)
  } else {
    gmmmi_abort("{.arg {arg}} must be a data frame, matrix or vector, not {.obj_type_friendly {x}}.", call)
  }
  if (length(cols) == 0 || length(cols[[1]]) == 0) {
    gmmmi_abort("{.arg {arg}} is empty.", call)
  }
  nm <- names(cols)
  fallback <- default_names(arg, length(cols))
  if (is.null(nm)) nm <- fallback
  nm[is.na(nm) | !nzchar(nm)] <- fallback[is.na(nm) | !nzchar(nm)]
  names(cols) <- make.unique(nm)
  for (j in seq_along(cols)) {
    col <- cols[[j]]
    name <- names(cols)[j]
    if (is.factor(col) || is.character(col) || is.logical(col)) {
      warn_numbers_as_labels(col, cli::format_inline("Column {.field {name}} of {.arg {arg}}"))
      if (anyNA(col)) {
        gmmmi_abort("Column {.field {name}} of {.arg {arg}} has {sum(is.na(col))} missing label{?s}.", call)
      }
      if (length(unique(col)) < 2) {
        gmmmi_abort("Column {.field {name}} of {.arg {arg}} must have at least two categories, not only {.val {as.character(col[1])}}.", call)
      }
    } else if (is.numeric(col) && is.null(dim(col))) {
      if (any(!is.finite(col))) {
        gmmmi_abort(c("Column {.field {name}} of {.arg {arg}} must contain only finite values.",
                      "x" = "Found {sum(!is.finite(col))} NA, NaN or infinite value{?s}."), call)
      }
      if (max(col) == min(col)) gmmmi_abort("Column {.field {name}} of {.arg {arg}} is constant.", call)
    } else {
      gmmmi_abort("Column {.field {name}} of {.arg {arg}} must be numeric, factor, character or logical, not {.obj_type_friendly {col}}.", call)
    }
  }
  n <- vapply(cols, length, integer(1))
  if (length(unique(n)) > 1) gmmmi_abort("The columns of {.arg {arg}} must have the same length.", call)
  cols
}

# Plug-in entropy of each categorical column (NA for numeric ones).
column_entropies <- function(cols, units) {
  vapply(cols, function(col) {
    if (!is_discrete(col)) return(NA_real_)
    plug_in_entropy(table(col)) / unit_divisor(units)
  }, numeric(1))
}

#' @export
print.mi_matrix <- function(x, digits = 3, ...) {
  n_pairs <- if (x$symmetric) nrow(x$estimate) * (nrow(x$estimate) - 1) / 2 else length(x$estimate)
  cat(sprintf("Mutual information (%s), %s; n = %d%s; %d bootstrap fit%s per pair\n",
              x$units, if (x$symmetric) "every pair of columns of x" else "rows: x, columns: y",
              x$n, describe_omitted(x$na_action), x$n_bootstrap, if (x$n_bootstrap == 1) "" else "s"))
  print(format_cells(x$estimate, x$se, digits), quote = FALSE, right = TRUE)
  ent <- c(x$entropy$rows, if (!x$symmetric) x$entropy$cols)
  ent <- ent[!is.na(ent) & !duplicated(names(ent))]
  if (length(ent)) {
    cat(sprintf("Categorical: %s\n", paste(sprintf("%s (entropy %s %s)", names(ent),
                                                   formatC(ent, digits = digits, format = "f"), x$units),
                                           collapse = ", ")))
  }
  invisible(x)
}

# "estimate +/- se" for each cell, blank where there is no estimate; the se
# with two significant digits ("0.0021", not "0.00").
format_cells <- function(estimate, se, digits, sep = " ") {
  txt <- formatC(estimate, digits = digits, format = "f")
  with_se <- !is.na(se)
  txt[with_se] <- paste0(txt[with_se], sep, pm_symbol(), " ", formatC(signif(se[with_se], 2), digits = 2, format = "fg"))
  txt[is.na(estimate)] <- ""
  matrix(txt, nrow(estimate), dimnames = dimnames(estimate))
}

#' Plot a matrix of mutual information
#'
#' `type = "heatmap"` draws the matrix as an annotated heatmap, each cell
#' showing "estimate +/- se" (the display of Piras et al. 2023, figs. 4 and 6).
#' The cells whose MI cannot be told from zero are written in grey italics,
#' and a caption says by which rule: a permutation p-value above 0.05 when
#' the matrix has p-values (`mi_matrix(n_permutations = )`), else the lower
#' end of the 95 percent bootstrap interval (of the kind set by the
#' `interval` of [gmm_mi_control()], as [confint.gmm_mi()] gives it; for the normal
#' interval, estimate - 1.96 se) at zero.
#' `type = "lines"` draws, for each row, the MI against the columns taken as
#' an ordered variable (for instance the radius at which a profile is
#' measured, fig. 5), with a band of one standard error on either side.
#'
#' @param x A `"mi_matrix"` object.
#' @param type `"heatmap"` or `"lines"`.
#' @param at For `"lines"`: the position of each column on the horizontal
#'   axis (numeric, one per column); by default 1, 2, ... labelled with the
#'   column names.
#' @param rows For `"lines"`: the rows to draw (names or positions); default
#'   all.
#' @param digits Decimals shown in the heatmap cells.
#' @param col Colours: for `"heatmap"` a palette (low to high), for `"lines"`
#'   one colour per row.
#' @param cex Size of the heatmap cell text (default chosen from the number of
#'   cells).
#' @param main,xlab,ylab Titles.
#' @param ... Passed to [graphics::image()] (`"heatmap"`) or
#'   [graphics::plot()] (`"lines"`), e.g. `log = "x"`.
#' @return `x`, invisibly.
#' @examples
#' set.seed(2)
#' n <- 400
#' r <- matrix(rnorm(n * 3), n, dimnames = list(NULL, c("a", "b", "c")))
#' z <- cbind(z1 = r[, 1] + rnorm(n, sd = 0.5), z2 = r[, 3] + rnorm(n))
#' m <- mi_matrix(z, r, n_bootstrap = 5, mc_samples = 2000, n_threads = 1)
#' plot(m)
#' plot(m, type = "lines", at = c(1, 2, 4))
#' @export
plot.mi_matrix <- function(x, type = c("heatmap", "lines"), at = NULL, rows = NULL, digits = 2,
                           col = NULL, cex = NULL, main = NULL, xlab = NULL, ylab = NULL, ...) {
  env <- this_call()
  type <- check_choice(type, c("heatmap", "lines"), "type", env)
  if (type == "heatmap") {
    mi_heatmap(x, digits, col, cex, main, xlab, ylab, ...)
  } else {
    mi_lines(x, at, rows, col, main, xlab, ylab, env, ...)
  }
  invisible(x)
}

mi_heatmap <- function(x, digits, col, cex, main, xlab, ylab, ...) {
  est <- x$estimate
  nr <- nrow(est)
  nc <- ncol(est)
  if (is.null(col)) col <- grDevices::hcl.colors(64, "YlGnBu", rev = TRUE)
  hi <- max(c(est, 0), na.rm = TRUE)
  zlim <- c(min(c(est, 0), na.rm = TRUE), if (hi > 0) hi else 1)
  # Rows of the matrix run top to bottom, as it is printed.
  z <- t(est[rev(seq_len(nr)), , drop = FALSE])
  label_lines <- function(labels) 1 + max(graphics::strwidth(labels, "inches")) / graphics::par("csi")
  # Column labels turn vertical only when they would not fit under their cells.
  cell_inches <- graphics::par("pin")[1] / nc
  las_x <- if (max(graphics::strwidth(colnames(est), "inches")) > 0.9 * cell_inches) 2 else 1
  bottom <- if (las_x == 2) label_lines(colnames(est)) + 1.5 else 3
  op <- graphics::par(mar = c(bottom, label_lines(rownames(est)) + 1.5, 3, 1))
  on.exit(graphics::par(op))
  graphics::image(seq_len(nc), seq_len(nr), z, col = col, zlim = zlim, axes = FALSE,
                  xlab = if (is.null(xlab)) "" else xlab, ylab = if (is.null(ylab)) "" else ylab,
                  main = if (is.null(main)) sprintf("Mutual information (%s)", x$units) else main, ...)
  blank <- which(is.na(z), arr.ind = TRUE)
  if (nrow(blank)) {
    graphics::rect(blank[, 1] - 0.5, blank[, 2] - 0.5, blank[, 1] + 0.5, blank[, 2] + 0.5,
                   col = "grey92", border = NA)
  }
  graphics::axis(1, at = seq_len(nc), labels = colnames(est), las = las_x, tick = FALSE)
  graphics::axis(2, at = seq_len(nr), labels = rev(rownames(est)), las = 1, tick = FALSE)
  graphics::box()
  txt <- format_cells(est, x$se, digits, sep = "\n")[rev(seq_len(nr)), , drop = FALSE]
  if (is.null(cex)) cex <- max(0.5, min(1, 6 / max(nr, nc)))
  level <- (est[rev(seq_len(nr)), , drop = FALSE] - zlim[1]) / diff(zlim)
  zero <- zero_cells(x)
  marked <- zero$marked[rev(seq_len(nr)), , drop = FALSE]
  dark <- !is.na(level) & level > 0.55
  ink <- ifelse(marked, ifelse(dark, "grey80", "grey45"), ifelse(dark, "white", "black"))
  graphics::text(rep(seq_len(nc), each = nr), rep(seq_len(nr), nc), txt, col = ink, cex = cex,
                 font = ifelse(marked, 3, 1))
  if (!is.null(zero$rule)) {
    graphics::mtext(zero_caption(zero$rule), side = 1, line = bottom - 1, adj = 1, cex = 0.75,
                    col = "grey30")
  }
}

# The cells whose MI cannot be told from zero, and the rule that says so:
# the permutation p-value above 0.05 when mi_matrix(n_permutations = ) gave
# p-values, else the lower end of the 95 percent bootstrap interval (of the
# kind of the fits' control, as confint() and tidy() give it) at zero;
# `rule` is NULL when there is neither (no permutations, fewer than two
# bootstrap fits).
zero_cells <- function(x) {
  est <- x$estimate
  none <- !is.na(est) & FALSE
  if (any(!is.na(x$p_value))) {
    return(list(marked = none | (!is.na(est) & !is.na(x$p_value) & x$p_value > 0.05),
                rule = "permutation p-value > 0.05"))
  }
  low <- est
  for (i in which(!is.na(est))) {
    cell <- arrayInd(i, dim(est))
    low[i] <- mi_interval(x$interval, 0.95, est[i], x$se[i], x$full_data[i],
                          x$bootstrap[cell[1], cell[2], ], x$entropy_bound[i])[1]
  }
  if (all(is.na(low))) return(list(marked = none, rule = NULL))
  rule <- if (identical(x$interval, "normal")) "estimate - 1.96 se <= 0" else
    sprintf("lower end of the 95%% %s interval at 0", x$interval)
  list(marked = none | (!is.na(low) & low <= 0), rule = rule)
}

zero_caption <- function(rule) sprintf("Grey italic: not distinguishable from 0 (%s)", rule)

mi_lines <- function(x, at, rows, col, main, xlab, ylab, env, ...) {
  est <- x$estimate
  se <- x$se
  nc <- ncol(est)
  labelled <- is.null(at)
  if (labelled) {
    at <- seq_len(nc)
  } else if (!is.numeric(at) || length(at) != nc || any(!is.finite(at))) {
    gmmmi_abort("{.arg at} must be {nc} finite number{?s}, one per column of the matrix.", env)
  }
  if (is.null(rows)) rows <- seq_len(nrow(est))
  rows <- resolve_dims(rows, rownames(est), "rows", env)
  if (is.null(col)) col <- grDevices::hcl.colors(max(3, length(rows)), "Dark 3")[seq_along(rows)]
  col <- rep_len(col, length(rows))
  ord <- order(at)
  lo <- est - ifelse(is.na(se), 0, se)
  hi <- est + ifelse(is.na(se), 0, se)
  graphics::plot(range(at), range(c(lo[rows, ], hi[rows, ], 0), na.rm = TRUE), type = "n",
                 xaxt = if (labelled) "n" else "s",
                 xlab = if (is.null(xlab)) "" else xlab,
                 ylab = if (is.null(ylab)) sprintf("MI (%s)", x$units) else ylab,
                 main = if (is.null(main)) "" else main, ...)
  if (labelled) graphics::axis(1, at = at, labels = colnames(est))
  for (k in seq_along(rows)) {
    i <- rows[k]
    ok <- ord[!is.na(est[i, ord])]
    band <- ok[!is.na(se[i, ok])]
    if (length(band) > 1) {
      graphics::polygon(c(at[band], rev(at[band])), c(hi[i, band], rev(lo[i, band])),
                        col = grDevices::adjustcolor(col[k], 0.25), border = NA)
    }
    graphics::lines(at[ok], est[i, ok], col = col[k], lwd = 2)
    graphics::points(at[ok], est[i, ok], col = col[k], pch = 20)
  }
  graphics::legend("topright", legend = rownames(est)[rows], col = col, lwd = 2, bty = "n")
}

#' Disentanglement summary: the mutual information gap
#'
#' For each generating factor (by default each column of the matrix), finds
#' the latent (row) that shares the most information with it and the gap
#' between that MI and the next largest: the mutual information gap of Chen et
#' al. (2018). A large gap means that one latent alone carries the factor. For
#' a categorical factor the gap is divided by the factor's entropy (its
#' plug-in entropy, kept in the `"mi_matrix"` object), which bounds the MI, so
#' that it lies between 0 and 1; a continuous factor has no such bound and its
#' gap is left in the matrix's units. The mean of these per-factor values is
#' the mutual information gap (MIG) of the representation.
#'
#' @param m A `"mi_matrix"` object.
#' @param factors Whether the factors are the `"columns"` (the default) or
#'   the `"rows"` of the matrix; the latents are the other side.
#' @return A data frame of class `"mi_gap"` with a row per factor: `factor`,
#'   `top` (the latent with the largest MI) and `top_mi`, `second` and
#'   `second_mi`, `gap` (in the matrix's units), `gap_se` (from the two
#'   standard errors, the estimates being independent), `entropy` (`NA` for a
#'   continuous factor) and `mig` (`gap / entropy`, or `gap` for a continuous
#'   factor); the attribute `"mean_gap"` is the mean of `mig`.
#' @references R. T. Q. Chen, X. Li, R. Grosse and D. Duvenaud (2018).
#'   Isolating sources of disentanglement in variational autoencoders.
#'   *Advances in Neural Information Processing Systems* 31.
#' @examples
#' set.seed(3)
#' n <- 500
#' f <- data.frame(colour = sample(c("red", "blue"), n, replace = TRUE), size = rnorm(n))
#' z <- data.frame(z1 = f$size + rnorm(n, sd = 0.3),
#'                 z2 = ifelse(f$colour == "red", 1, -1) + rnorm(n, sd = 0.5))
#' m <- mi_matrix(z, f, n_bootstrap = 5, mc_samples = 2000, n_threads = 1)
#' mi_gap(m)
#' summary(m)
#' @export
mi_gap <- function(m, factors = c("columns", "rows")) {
  env <- this_call()
  if (!inherits(m, "mi_matrix")) gmmmi_abort("{.arg m} must be a {.cls mi_matrix} object, not {.obj_type_friendly {m}}.", env)
  factors <- check_choice(factors, c("columns", "rows"), "factors", env)
  est <- m$estimate
  se <- m$se
  entropy <- m$entropy$cols
  if (factors == "rows") {
    est <- t(est)
    se <- t(se)
    entropy <- m$entropy$rows
  }
  if (nrow(est) < 2) {
    gmmmi_abort(c("{.arg m} must have at least two latents to compare.",
                  "x" = "It has one {if (factors == 'rows') 'column' else 'row'}; the factors are its {factors} ({.arg factors})."), env)
  }
  latents <- rownames(est)
  rows <- lapply(seq_len(ncol(est)), function(j) {
    v <- est[, j]
    o <- order(v, decreasing = TRUE, na.last = NA)
    if (length(o) < 2) o <- c(o, NA, NA)[1:2]
    data.frame(factor = colnames(est)[j], top = latents[o[1]], top_mi = v[o[1]],
               second = latents[o[2]], second_mi = v[o[2]], gap = v[o[1]] - v[o[2]],
               gap_se = sqrt(se[o[1], j]^2 + se[o[2], j]^2), entropy = unname(entropy[j]),
               stringsAsFactors = FALSE)
  })
  out <- do.call(rbind, rows)
  out$mig <- ifelse(is.na(out$entropy), out$gap, out$gap / out$entropy)
  rownames(out) <- NULL
  structure(out, mean_gap = mean(out$mig), units = m$units, class = c("mi_gap", "data.frame"))
}

#' @export
print.mi_gap <- function(x, digits = 3, ...) {
  df <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  num <- vapply(df, is.numeric, logical(1))
  df[num] <- lapply(df[num], function(v) formatC(v, digits = digits, format = "f"))
  cat(sprintf("Mutual information gap per factor (MI, gap and entropy in %s):\n", attr(x, "units")))
  print(df, row.names = FALSE, right = TRUE)
  cat(sprintf("Mean gap (MIG): %s\n", formatC(attr(x, "mean_gap"), digits = digits, format = "f")))
  invisible(x)
}

#' Summarise a matrix of mutual information
#'
#' @param object A `"mi_matrix"` object.
#' @param factors Passed to [mi_gap()].
#' @param ... Unused.
#' @return An object of class `"summary.mi_matrix"`: `gap` (from [mi_gap()]),
#'   `mean_gap`, `largest` (a one-row data frame: the pair with the largest
#'   MI), `units`, `n`, `n_bootstrap` and `dim`.
#' @examples
#' set.seed(4)
#' n <- 400
#' f <- data.frame(a = rnorm(n), b = rnorm(n))
#' z <- data.frame(z1 = f$a + rnorm(n, sd = 0.5), z2 = f$b + rnorm(n, sd = 0.5))
#' summary(mi_matrix(z, f, n_bootstrap = 5, mc_samples = 2000, n_threads = 1))
#' @export
summary.mi_matrix <- function(object, factors = c("columns", "rows"), ...) {
  env <- this_call()
  factors <- check_choice(factors, c("columns", "rows"), "factors", env)
  gap <- mi_gap(object, factors)
  df <- as.data.frame(object)
  largest <- df[which.max(df$estimate), c("x", "y", "estimate", "std.error")]
  rownames(largest) <- NULL
  structure(list(gap = gap, mean_gap = attr(gap, "mean_gap"), largest = largest,
                 units = object$units, n = object$n, n_bootstrap = object$n_bootstrap,
                 dim = dim(object$estimate), factors = factors),
            class = "summary.mi_matrix")
}

#' @export
print.summary.mi_matrix <- function(x, digits = 3, ...) {
  cat(sprintf("Mutual information matrix: %d x %d, n = %d, %d bootstrap fits per pair\n",
              x$dim[1], x$dim[2], x$n, x$n_bootstrap))
  cat(sprintf("Largest: %s ~ %s, %s %s %s %s\n\n", x$largest$x, x$largest$y,
              formatC(x$largest$estimate, digits = digits, format = "f"), pm_symbol(),
              formatC(x$largest$std.error, digits = digits, format = "f"), x$units))
  print(x$gap, digits = digits)
  invisible(x)
}
