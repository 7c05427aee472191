# The two commands a newcomer needs (see README.md).
.PHONY: run test lint

run:        ## set up and run the site on http://127.0.0.1:5000 (SQLite, in-process workers)
	scripts/setup --site
	.venv/bin/archlab serve

test:       ## set up everything the real-service tests need, then run the whole suite
	scripts/setup --test
	scripts/test

lint:
	.venv/bin/ruff check .
