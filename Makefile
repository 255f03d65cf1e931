# Long-running reliability targets (the normal test run, scripts/test, runs the same tests with
# short budgets). Variables: FUZZ_SECONDS (total budget of the fuzz properties), FUZZ_SEED,
# FUZZ_EXAMPLES (examples per round), ATHERIS_RUNS.
PY ?= .venv/bin/python
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 20261126
FUZZ_EXAMPLES ?= 500
ATHERIS_RUNS ?= 200000
ATHERIS_PY ?= /tmp/atheris-venv/bin/python

.PHONY: fuzz reliability nightly atheris report

# hypothesis properties in rounds (seed FUZZ_SEED, FUZZ_SEED+1, ...) until FUZZ_SECONDS are spent
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		$(PY) -m pytest -q -p no:cacheprovider tests/fuzz

# injected faults, trust, secrets, processes, nothing lost (real server, real client)
reliability:
	$(PY) -m pytest -q -p no:cacheprovider tests/reliability

# coverage-guided fuzzing of the parser (needs atheris: `python -m venv /tmp/atheris-venv &&
# /tmp/atheris-venv/bin/pip install atheris packaging`)
atheris:
	mkdir -p .cache/atheris-corpus
	PYTHONPATH=server $(ATHERIS_PY) fuzz/atheris_parse.py -runs=$(ATHERIS_RUNS) \
		-seed=$(FUZZ_SEED) .cache/atheris-corpus fuzz/corpus

report:
	$(PY) fuzz/reliability_report.py --write docs/reliability.md

nightly: fuzz reliability
	-$(MAKE) atheris
	$(MAKE) report
