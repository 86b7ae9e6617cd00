"""Arranque: ``amauta --help``, ``amauta db --help`` y ``amauta --version`` frente a
``python -c "import typer"`` (lo mínimo que cuesta una CLI de Typer), procesos enteros
intercalados en la misma corrida (``benchmarks/comun.py``).

Objetivo: ``amauta --help`` con mediana por debajo de 200 ms en la máquina de desarrollo
(se imprime al lado la razón frente a ``import typer``, que es la que vale en una máquina cargada).

    .venv/bin/python benchmarks/startup.py [--pares 11]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import comun  # noqa: E402
from comun import Comando, comparar, imprimir  # noqa: E402

OBJETIVO_S = 0.200


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.set_defaults(pares=11)
    args = ap.parse_args()
    comun.encabezado("arranque", python=sys.version.split()[0])
    env = {"COLUMNS": "100"}
    typer_solo = Comando([sys.executable, "-c", "import typer"], env=env)
    resultados = []
    for nombre, argv in (
        ("amauta --help", ["--help"]),
        ("amauta db --help", ["db", "--help"]),
        ("amauta --version", ["--version"]),
    ):
        r = comparar(nombre, Comando([*comun.amauta(), *argv], env=env), typer_solo,
                     pares=args.pares, base="python -c 'import typer'")
        if nombre == "amauta --help":
            med = r.resumen()["amauta_mediana_s"]
            r.extras.append(
                f"objetivo < {OBJETIVO_S * 1000:.0f} ms: {'cumple' if med < OBJETIVO_S else 'NO cumple'} "
                f"({med * 1000:.0f} ms; absoluto: depende de la carga de al lado)"
            )
        resultados.append(r)
    print()
    imprimir(resultados)


if __name__ == "__main__":
    main()
