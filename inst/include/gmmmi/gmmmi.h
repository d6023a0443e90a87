// gmmmi: mutual information from Gaussian mixture models, header-only core.
// Includes only Eigen and the standard library. The method is described in
// vignette("method", package = "gmmmi"), whose sections the headers cite.
#ifndef GMMMI_GMMMI_H
#define GMMMI_GMMMI_H

#include "rng.h"
#include "model.h"
#include "density.h"
#include "em.h"
#include "kmeans.h"
#include "init.h"
#include "fit.h"
#include "parallel.h"
#include "select.h"
#include "rules.h"
#include "sample.h"
#include "integrals.h"
#include "scaling.h"
#include "bootstrap.h"
#include "categorical.h"
#include "vecmath.h"

#endif
