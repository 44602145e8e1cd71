// A baseline file as `--baseline` reads it.

#include "fuzz_input_file.h"
#include "fuzz_targets.h"
#include "policy/baseline.h"
#include "util/error.h"

void keysweep::fuzz::baseline(std::string_view input) {
  static InputFile file("baseline.json");
  try {
    load_baseline(file.write(input));
  } catch (const UsageError&) {
  } catch (const RuntimeFailure&) {
  }
}

KEYSWEEP_FUZZ_ENTRY(baseline)
