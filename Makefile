# « Apprentissage des réseaux profonds » : deux commandes suffisent.
#   make lab   installe si besoin, puis ouvre le cours dans JupyterLab (édition étudiante)
#   make test  installe si besoin, puis lance tous les tests (pytest, nbval, ruff) sur 2 cœurs
# Cibles de mainteneur : make etudiant, make notebooks, make bench.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp-install
# Sous Linux, PyPI ne sert que des builds CUDA de PyTorch (plusieurs Go) : on ajoute l'index
# CPU de PyTorch quand il est joignable (sinon, l'index configuré sert la roue CPU).
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# L'installation passe par uv (installé d'abord par pip dans le venv), dix fois plus rapide que
# pip ; uv ne lisant pas la configuration de pip, tools/pip_sources lui en passe les index, les
# dossiers de roues et les contraintes. Si uv ne s'installe pas, pip prend le relais : sans
# précompilation (un seul cœur), puis compileall sur tous les cœurs.
# JupyterLab refuse de tourner en root (conteneurs, CI) sans --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test etudiant notebooks bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python ≥ 3.11 est nécessaire (trouvé : $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installation des dépendances dans $(VENV) (une seule fois)…"
	@extra=""; if [ "$$(uname -s)" = Linux ] && $(BIN)/python -c 'import socket; \
	  socket.create_connection(("download.pytorch.org", 443), timeout=3)' 2>/dev/null; then \
	  extra="--extra-index-url $(TORCH_CPU_INDEX)"; fi; \
	  if $(BIN)/python -m pip install --quiet uv 2> >(grep -v "^WARNING: Location" >&2); then \
	    $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode \
	      $$($(BIN)/python -m tools.pip_sources) $$extra -e '.[dev]'; \
	  else \
	    echo "uv indisponible : installation avec pip (plus lente)."; \
	    $(BIN)/python -m pip install --quiet --no-compile $$extra -e '.[dev]' \
	      2> >(grep -v "^WARNING: Location" >&2) && \
	    { $(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null || true; }; \
	  fi
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS) notebooks/etudiant/00_prise_en_main.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests notebooks/complet --nbval \
	  --ignore=tests/navigateur \
	  --nbval-sanitize-with notebooks/sanitize.cfg
	@if command -v chromium >/dev/null 2>&1; then \
	  $(BIN)/python -m pytest -q tests/navigateur; \
	else \
	  echo "Test dans un vrai navigateur NON exécuté : Chromium est absent"; \
	  echo "(Debian/Ubuntu : sudo apt install chromium ; captures dans artifacts/navigateur/)."; \
	fi
	$(BIN)/ruff check .
	@if command -v hunspell >/dev/null && hunspell -D </dev/null 2>&1 | grep -q fr_FR; then \
	  $(BIN)/python -m tools.spelling; \
	else \
	  echo "Vérification orthographique NON exécutée : hunspell et son dictionnaire français"; \
	  echo "sont absents (Debian/Ubuntu : sudo apt install hunspell hunspell-fr)."; \
	fi

etudiant: $(STAMP)
	$(BIN)/python -m tools.editions

# Exécute tous les notebooks complets (durée et mémoire de chacun), puis régénère l'édition
# étudiante. COURSE_REGENERATE=1 recalcule aussi les balayages enregistrés.
notebooks: $(STAMP)
	$(BIN)/python -m tools.execute --table benchmarks/notebooks.md notebooks/complet/*.ipynb
	$(BIN)/python -m tools.editions

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_activations.py --save
	$(BIN)/python benchmarks/bench_batch_size.py --save
	$(BIN)/python benchmarks/bench_widget.py
	$(BIN)/python benchmarks/bench_import.py

clean:
	rm -rf $(VENV) course_utils.egg-info
