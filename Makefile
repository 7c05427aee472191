# Shortcuts for the README's two commands (scripts/run and scripts/test work without make).
.PHONY: run test lint images

run:        ## set up and run the site on http://127.0.0.1:5000 (SQLite, in-process workers)
	scripts/run

test:       ## set up everything the real-service tests need, then run the whole suite
	scripts/test

lint:
	.venv/bin/ruff check .

images:     ## the lab runtime image and archlab/server (web, worker), offline: no registry
	scripts/build-server-image
