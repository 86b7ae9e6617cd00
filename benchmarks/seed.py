"""``amauta seed --reset --si`` y un ``seed`` repetido, procesos enteros intercalados con lo
mismo hecho con las herramientas del motor (``benchmarks/comun.py``), en ambos motores:

- ``seed --reset --si`` (borra, migra y siembra; bcrypt incluido) frente a cargar la MISMA base
  ya sembrada desde su volcado: ``psql -1 -f`` de un ``pg_dump --clean`` en PostgreSQL, el
  ``.dump`` de ``sqlite3`` en un archivo nuevo en SQLite.
- ``seed`` repetido (no cambia nada) frente al arranque mínimo de ``amauta --version``.

Objetivo: ``--reset`` por debajo de 2 s en cada motor (absoluto: se imprime la carga al lado).

    .venv/bin/python benchmarks/seed.py [--pares 5] [--motores sqlite,postgresql]

Las bases que crea (un archivo temporal, ``amauta_bench_seed_*`` en PostgreSQL) se borran al final.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import comun  # noqa: E402
from comun import BasePG, Comando, comparar, imprimir  # noqa: E402

OBJETIVO_RESET = 2.0


def _env() -> dict[str, str]:
    # Un AMAUTA_ENV=produccion heredado haría que seed --reset se niegue.
    return {"AMAUTA_ENV": "desarrollo"}


def medir(motor: str, url: str, base_reset: Comando, pares: int) -> list[comun.Resultado]:
    amauta = [*comun.amauta(), "--db-url", url]
    r1 = comparar(
        f"seed --reset --si ({motor})",
        Comando([*amauta, "seed", "--reset", "--si"], env=_env()),
        base_reset, pares=pares,
        base="la misma base sembrada, cargada desde su volcado ("
        + ("psql -1 -f de pg_dump --clean" if motor == "postgresql" else "sqlite3 < .dump") + ")",
    )
    med = r1.resumen()["amauta_mediana_s"]
    r1.extras.append(
        f"objetivo < {OBJETIVO_RESET:.0f} s: {'cumple' if med < OBJETIVO_RESET else 'NO cumple'} ({med:.2f} s)"
    )
    r2 = comparar(
        f"seed repetido, sin cambios ({motor})",
        Comando([*amauta, "seed"], env=_env()),
        Comando([*comun.amauta(), "--version"]), pares=pares,
        base="el arranque mínimo: amauta --version",
    )
    return [r1, r2]


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.add_argument("--motores", default="sqlite,postgresql")
    args = ap.parse_args()
    comun.encabezado("seed")
    carpeta = Path(tempfile.mkdtemp(prefix="amauta-bench-seed-"))
    resultados = []
    try:
        for motor in [m.strip() for m in args.motores.split(",") if m.strip()]:
            if motor == "postgresql":
                with BasePG("seed", migrar=False) as bd:
                    subprocess.run([*comun.amauta(), "--db-url", bd.url, "seed", "--reset", "--si"],
                                   check=True, capture_output=True, env={**os.environ, **_env()})
                    volcado = carpeta / "seed.sql"
                    subprocess.run(["pg_dump", "--clean", "--if-exists", "--no-owner", "-f", str(volcado), bd.dsn],
                                   check=True)
                    base = Comando(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", bd.dsn, "-f", str(volcado)])
                    resultados += medir(motor, bd.url, base, args.pares)
            else:
                ruta = carpeta / "seed.db"
                url = f"sqlite:///{ruta}"
                subprocess.run([*comun.amauta(), "--db-url", url, "seed", "--reset", "--si"],
                               check=True, capture_output=True, env={**os.environ, **_env()})
                volcado = subprocess.run(["sqlite3", str(ruta), ".dump"], check=True, capture_output=True).stdout
                copia = carpeta / "copia.db"

                def borrar_copia(copia=copia) -> None:
                    for sufijo in ("", "-wal", "-shm"):
                        Path(f"{copia}{sufijo}").unlink(missing_ok=True)

                base = Comando(["sqlite3", str(copia)], entrada=volcado, antes=borrar_copia)
                resultados += medir(motor, url, base, args.pares)
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)
    print()
    imprimir(resultados)


if __name__ == "__main__":
    main()
