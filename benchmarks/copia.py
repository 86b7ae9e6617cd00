"""``amauta db copiar`` de SQLite a PostgreSQL (un distrito de 2.000.000 de filas de asistencia)
frente a volcar las mismas tablas a CSV con ``sqlite3 -csv`` y cargarlas con ``COPY`` de ``psql``
(herramientas en C, tabla por tabla, en una transacción), intercalados en la misma corrida.

amauta hace además lo que la línea de base no hace: lee el origen en una instantánea, respeta el
orden de dependencias, compara filas y una suma de control por tabla de ambos lados antes de
confirmar. Ambos cargan en una base PostgreSQL nueva ya migrada (un clon de una plantilla, fuera
del tiempo medido). Objetivo (issue 15): ≤ 1,5×.

La base SQLite de origen se arma con ``amauta db copiar`` en la otra dirección (PostgreSQL →
SQLite), desde un distrito generado en el servidor; ese tiempo se informa aparte.

    .venv/bin/python benchmarks/copia.py                          # 2 millones de filas
    .venv/bin/python benchmarks/copia.py --estudiantes 1000       # prueba rápida
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comun import Comando, amauta, carga, comparar, imprimir  # noqa: E402
from escala_datos import BaseDeBanco, dias_habiles  # noqa: E402


def linea_de_base(sqlite_db: Path, dsn: str, tablas: list[tuple[str, list[str]]], psql: str, sqlite3: str) -> str:
    """Un script de shell: por cada tabla, ``sqlite3 -csv`` a un archivo y ``\\copy`` desde él,
    todas las cargas en una transacción de psql."""
    lineas = ["set -e", 'd="$(mktemp -d)"', "trap 'rm -rf \"$d\"' EXIT"]
    copias = []
    for i, (t, cols) in enumerate(tablas):
        lista = ", ".join(f'"{c}"' for c in cols)
        lineas.append(f"{sqlite3} -csv {sqlite_db} 'SELECT {lista} FROM \"{t}\"' > \"$d/{i}.csv\"")
        copias.append(f"\\copy \"{t}\" ({lista}) FROM '$d/{i}.csv' WITH (FORMAT csv)")
    # Como amauta: la auditoría se copia tal cual, sin que los disparadores de auditoría del
    # destino agreguen un alta por fila copiada (apagados solo en esta transacción).
    disparadores = [
        f'ALTER TABLE "{t}" {que} TRIGGER amauta_auditar_insert;' for t in ("Asistencia", "Calificacion")
        for que in ("DISABLE",)
    ]
    encender = [d.replace("DISABLE", "ENABLE") for d in disparadores]
    copias = disparadores + copias + encender
    lineas.append(f"{psql} -X -q -v ON_ERROR_STOP=1 -1 -d '{dsn}' <<FIN\n" + "\n".join(copias) + "\nFIN")
    return "\n".join(lineas)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--estudiantes", type=int, default=11_112)
    ap.add_argument("--pares", type=int, default=5)
    args = ap.parse_args()
    psql = shutil.which("psql") or "/usr/bin/psql"
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        raise SystemExit("Falta sqlite3 (apt install sqlite3) para la línea de base.")

    print(f"Carga de la máquina al empezar: {carga():.2f}", file=sys.stderr)
    fuente = BaseDeBanco.nueva("copia_fuente")
    vacia = BaseDeBanco.nueva("copia_vacia")  # migrada, sin filas: la plantilla de los destinos
    destino = BaseDeBanco(f"{vacia.nombre}_dst")
    tmp = Path(tempfile.mkdtemp(prefix="amauta-bench-copia-"))
    try:
        t = fuente.poblar(0, args.estudiantes, dias_habiles(date(2024, 3, 4), 180))
        total = fuente.valor('SELECT count(*) FROM "Asistencia"')
        print(f"Distrito en PostgreSQL: {total:,} filas de asistencia, generado en {t:.0f} s.".replace(",", "."), file=sys.stderr)
        origen = tmp / "escuela.db"
        t0 = time.perf_counter()
        subprocess.run([*amauta(), "--db-url", fuente.url, "db", "copiar", "--destino", f"sqlite:///{origen}", "--si"],
                       check=True, capture_output=True)
        pg_a_sqlite = time.perf_counter() - t0
        from amauta_cli.db import cerrar_motores
        from amauta_cli.models import metadata

        cerrar_motores()
        tablas = [(t.name, [c.name for c in t.columns]) for t in metadata.sorted_tables]

        def recrear() -> None:
            destino.borrar()
            import psycopg

            with psycopg.connect(vacia.dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{destino.nombre}" TEMPLATE "{vacia.nombre}"')

        a = Comando([*amauta(), "--db-url", f"sqlite:///{origen}", "db", "copiar", "--destino", destino.url, "--si"],
                    antes=recrear)
        b = Comando(["bash", "-c", linea_de_base(origen, destino.dsn, tablas, psql, sqlite3)], antes=recrear)
        r = comparar("db copiar SQLite → PostgreSQL", a, b, pares=args.pares, base="sqlite3 -csv + COPY")
        print(f"\nCopiar {total:,} filas de asistencia (y el resto del distrito) de SQLite a PostgreSQL:".replace(",", "."))
        imprimir([r], objetivo=1.5)
        print(
            f"\nPostgreSQL → SQLite (la base de origen de arriba, con amauta db copiar): {pg_a_sqlite:.1f} s, "
            f"{origen.stat().st_size / 2**20:.0f} MiB."
        )
    finally:
        destino.borrar()
        vacia.borrar()
        fuente.borrar()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
