"""Arranque de ``amauta --help`` frente a ``python -c "import typer"``.

Imprime la mediana de N ejecuciones de cada uno, en la misma corrida, y su razón.
Objetivo: ``amauta --help`` con mediana menor a 200 ms en la máquina de desarrollo.

    .venv/bin/python benchmarks/startup.py [--repeticiones 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def medir(cmd: list[str], n: int) -> list[float]:
    tiempos = []
    env = dict(os.environ, COLUMNS="100")
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        tiempos.append(time.perf_counter() - t0)
    return tiempos


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeticiones", type=int, default=21)
    args = ap.parse_args()
    bindir = Path(sys.executable).parent
    amauta = str(bindir / "amauta")
    casos = {
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "amauta --help": [amauta, "--help"],
        "amauta db --help": [amauta, "db", "--help"],
    }
    for cmd in casos.values():  # calentar la caché de bytecode y del disco
        medir(cmd, 2)
    medianas = {}
    for nombre, cmd in casos.items():
        t = medir(cmd, args.repeticiones)
        medianas[nombre] = statistics.median(t)
        print(f"{nombre:28s} mediana {medianas[nombre] * 1000:7.1f} ms  (min {min(t) * 1000:.1f} ms, n={len(t)})")
    base = medianas["python -c 'import typer'"]
    for nombre in ("amauta --help", "amauta db --help"):
        print(f"razón {nombre} / import typer: {medianas[nombre] / base:.2f}x")
    objetivo = 0.200
    estado = "cumple" if medianas["amauta --help"] < objetivo else "NO cumple"
    print(f"objetivo amauta --help < {objetivo * 1000:.0f} ms: {estado}")


if __name__ == "__main__":
    main()
