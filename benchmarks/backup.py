"""``amauta db backup`` y ``amauta db restore --limpiar --si`` frente a ``pg_dump -Fc`` y
``pg_restore`` a secas, sobre la misma base y en la misma corrida.

Crea una base PostgreSQL de al menos ``--filas`` filas (COPY, ver ``datos_grandes.py``) y
mide procesos enteros con ``benchmarks/comun.py``: cada par amauta / a secas uno junto al
otro (A, B, A, B...), ``--repeticiones`` pares (mínimo 5) más uno de calentamiento, e
imprime medianas, mínimos y la razón (la mediana de las razones de cada par: en una máquina
compartida la carga cambia de un minuto a otro, y el par la comparte), con la carga al lado.
Objetivo: sobrecosto de amauta ≤ 15 % (sin --verificar).
Borra la base y los archivos al terminar.

    .venv/bin/python benchmarks/backup.py [--filas 1000000] [--repeticiones 5]
        [--servidor postgresql://postgres@127.0.0.1:5432/postgres]

Las comparaciones:
- ``amauta db backup``  vs ``pg_dump -Fc --no-owner --no-privileges -f ARCHIVO``
  (amauta además cuenta las filas en la misma instantánea, calcula el SHA-256 y
  escribe el manifiesto).
- ``amauta db restore ARCHIVO --limpiar --si --sin-respaldo`` vs ``pg_restore --clean
  --if-exists --single-transaction --no-owner --no-privileges -d BASE ARCHIVO``: los dos
  reemplazan el contenido de la base poblada en una transacción (amauta además comprueba
  el SHA-256, cuenta las filas antes y después y las compara con el manifiesto).
- ``amauta db restore ARCHIVO --limpiar --si`` (con el respaldo de seguridad automático)
  vs ``pg_dump`` + ``pg_restore``: lo que haría a mano un operador prudente.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comun import Comando, amauta, comparar, imprimir  # noqa: E402
from datos_grandes import generar  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filas", type=int, default=1_000_000)
    ap.add_argument("--repeticiones", type=int, default=5, help="pares medidos (mínimo 5)")
    ap.add_argument("--servidor", default=os.environ.get(
        "AMAUTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = ap.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    from amauta_cli.db import cerrar_motores, normalizar_url
    from amauta_cli.services.esquema import contar_filas, migrar
    from amauta_cli.services.respaldo import entorno_pg, herramienta
    from amauta_cli.textos import entero, tamano

    nombre = f"amauta_bench_respaldo_{os.getpid()}"
    servidor = normalizar_url(args.servidor)
    url = make_url(servidor).set(database=nombre).render_as_string(hide_password=False)
    admin = args.servidor.replace("postgresql+psycopg://", "postgresql://")
    tmp = Path(tempfile.mkdtemp(prefix="amauta-bench-respaldo-"))
    env_amauta = dict(os.environ, XDG_DATA_HOME=str(tmp / "xdg"), AMAUTA_DATABASE_URL=url)
    env_amauta.pop("AMAUTA_ENV", None)
    env_pg = entorno_pg(url)
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    try:
        t0 = time.perf_counter()
        migrar(url)
        generar(url, args.filas)
        from amauta_cli.db import conexion

        with conexion(url, solo_lectura=True) as con:
            filas = sum(contar_filas(con).values())
            mayor = int(con.exec_driver_sql("SHOW server_version_num").scalar()) // 10000
        cerrar_motores()
        pg_dump = herramienta("pg_dump", mayor).ruta
        pg_restore = herramienta("pg_restore", mayor).ruta
        print(f"Base {nombre}: {entero(filas)} filas generadas en {time.perf_counter() - t0:.1f} s")
        if filas < args.filas:
            raise SystemExit(f"se pidieron {args.filas} filas y se generaron {filas}")

        crudo = tmp / "crudo.dump"
        carpeta = tmp / "amauta"
        carpeta.mkdir()
        cmd = amauta()

        def vaciar_carpeta() -> None:
            for p in carpeta.iterdir():
                p.unlink()

        def archivo_amauta() -> Path:
            return next(p for p in carpeta.iterdir() if p.suffix == ".dump")

        def sin_seguridad() -> None:
            shutil.rmtree(tmp / "xdg" / "amauta" / "respaldos", ignore_errors=True)

        pg_dump_cmd = [pg_dump, "-Fc", "--no-owner", "--no-privileges", "-f", str(crudo)]
        pg_restore_cmd = [pg_restore, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                          "--no-owner", "--no-privileges", "-d", nombre, str(crudo)]
        # Un primer respaldo de cada uno, para tener qué restaurar (y de calentamiento).
        Comando(pg_dump_cmd, env=env_pg).correr()
        Comando([*cmd, "db", "backup", "--salida", f"{carpeta}/"], env=env_amauta).correr()

        resultados = [
            comparar(
                "backup vs pg_dump -Fc",
                Comando([*cmd, "db", "backup", "--salida", f"{carpeta}/"], env=env_amauta, antes=vaciar_carpeta),
                Comando(pg_dump_cmd, env=env_pg, antes=lambda: crudo.unlink(missing_ok=True)),
                pares=args.repeticiones,
                base="pg_dump -Fc",
            ),
        ]
        archivo = archivo_amauta()
        resultados.append(
            comparar(
                "restore vs pg_restore --clean -1",
                Comando([*cmd, "db", "restore", str(archivo), "--limpiar", "--si", "--sin-respaldo"],
                        env=env_amauta),
                Comando(pg_restore_cmd, env=env_pg),
                pares=args.repeticiones,
                base="pg_restore --clean --single-transaction",
            )
        )
        resultados.append(
            comparar(
                "restore con respaldo de seguridad vs pg_dump + pg_restore",
                Comando([*cmd, "db", "restore", str(archivo), "--limpiar", "--si"], env=env_amauta,
                        antes=sin_seguridad),
                Comando(["sh", "-c", '"$0" "$@" && exec ' + " ".join(f"'{a}'" for a in pg_restore_cmd),
                         *pg_dump_cmd], env=env_pg, antes=lambda: crudo.unlink(missing_ok=True)),
                pares=args.repeticiones,
                base="pg_dump -Fc && pg_restore --clean -1",
            )
        )
        print()
        print(f"tamaño: pg_dump {tamano(crudo.stat().st_size)}, amauta {tamano(archivo.stat().st_size)}")
        print("objetivo: amauta ≤ 1,15× la herramienta a secas (mediana de las razones por par)")
        imprimir(resultados, objetivo=1.15)
    finally:
        cerrar_motores()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"(se borró la base {nombre} y {tmp})")


if __name__ == "__main__":
    main()
