/* The package's entry point, and the two calls the Rust side makes into R while a simulation
 * runs on worker threads: whether Ctrl-C was pressed, and a progress line. */
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Print.h>
#include <R_ext/Utils.h>

void R_init_crossoversim_extendr(void *dll);

void R_init_crossoversim(void *dll) {
  R_init_crossoversim_extendr(dll);
}

static void check_interrupt(void *unused) {
  (void) unused;
  R_CheckUserInterrupt();
}

/* R_CheckUserInterrupt jumps to the top level on an interrupt; R_ToplevelExec catches that
 * jump here, so it never crosses a Rust frame, and reports it as FALSE. */
int crossoversim_interrupt_pending(void) {
  return R_ToplevelExec(check_interrupt, NULL) == FALSE;
}

void crossoversim_show_progress(double done, double total, int finished) {
  if (total <= 0) return;
  REprintf("\rcrossoversim: %.0f of %.0f replicates (%.0f%%)", done, total, 100.0 * done / total);
  if (finished) REprintf("\n");
}
