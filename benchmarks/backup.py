"""``amauta db backup`` y ``amauta db restore --limpiar --si`` frente a ``pg_dump -Fc`` y
``pg_restore`` a secas, sobre la misma base y en la misma corrida.

Crea una base PostgreSQL de al menos ``--filas`` filas (COPY, ver ``datos_grandes.py``),
mide cada comando ``--repeticiones`` veces, cada par amauta / a secas uno junto al otro y
en orden alternado, e imprime las medianas y la razón (la mediana de las razones de cada
par: en una máquina compartida la carga cambia de un minuto a otro, y el par la comparte).
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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datos_grandes import generar  # noqa: E402


def _correr(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"falló {' '.join(cmd)}:\n{r.stderr.decode(errors='replace')}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filas", type=int, default=1_000_000)
    ap.add_argument("--repeticiones", type=int, default=5)
    ap.add_argument("--servidor", default=os.environ.get(
        "AMAUTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = ap.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    from amauta_cli.db import cerrar_motores, normalizar_url
    from amauta_cli.services.esquema import contar_filas, migrar
    from amauta_cli.services.respaldo import entorno_pg, herramienta
    from amauta_cli.textos import tamano as tamano_legible

    nombre = f"amauta_bench_respaldo_{os.getpid()}"
    servidor = normalizar_url(args.servidor)
    url = make_url(servidor).set(database=nombre).render_as_string(hide_password=False)
    admin = args.servidor.replace("postgresql+psycopg://", "postgresql://")
    amauta = str(Path(sys.executable).parent / "amauta")
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
        print(f"Base {nombre}: {filas:,} filas generadas en {time.perf_counter() - t0:.1f} s".replace(",", "."))
        if filas < args.filas:
            raise SystemExit(f"se pidieron {args.filas} filas y se generaron {filas}")

        crudo = tmp / "crudo.dump"
        carpeta = tmp / "amauta"
        carpeta.mkdir()

        def dump_crudo() -> float:
            crudo.unlink(missing_ok=True)
            return _correr([pg_dump, "-Fc", "--no-owner", "--no-privileges", "-f", str(crudo)], env_pg)

        def backup_amauta() -> float:
            for p in carpeta.iterdir():
                p.unlink()
            return _correr([amauta, "db", "backup", "--salida", f"{carpeta}/"], env_amauta)

        def archivo_amauta() -> Path:
            return next(p for p in carpeta.iterdir() if p.suffix == ".dump")

        def restore_crudo() -> float:
            return _correr([pg_restore, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
                            "--no-owner", "--no-privileges", "-d", nombre, str(crudo)], env_pg)

        def restore_amauta() -> float:
            return _correr([amauta, "db", "restore", str(archivo_amauta()), "--limpiar", "--si",
                            "--sin-respaldo"], env_amauta)

        def restore_amauta_seguro() -> float:
            t = _correr([amauta, "db", "restore", str(archivo_amauta()), "--limpiar", "--si"], env_amauta)
            shutil.rmtree(tmp / "xdg" / "amauta" / "respaldos", ignore_errors=True)
            return t

        casos = {
            "pg_dump -Fc": dump_crudo,
            "amauta db backup": backup_amauta,
            "pg_restore --clean -1": restore_crudo,
            "amauta db restore --limpiar --si --sin-respaldo": restore_amauta,
            "amauta db restore --limpiar --si (con respaldo de seguridad)": restore_amauta_seguro,
        }
        tiempos: dict[str, list[float]] = {k: [] for k in casos}
        # Calentamiento (caché del disco y del servidor), sin medir.
        dump_crudo()
        backup_amauta()
        for i in range(args.repeticiones):
            orden = list(casos.items())
            if i % 2:  # alternar el orden de cada par amauta / a secas
                orden = [orden[1], orden[0], orden[3], orden[2], orden[4]]
            for k, f in orden:
                tiempos[k].append(f())
                print(f"  [{i + 1}/{args.repeticiones}] {k}: {tiempos[k][-1]:.2f} s", flush=True)
        med = {k: statistics.median(v) for k, v in tiempos.items()}

        print()
        print(f"{'comando':62s} {'mediana':>9s} {'mín':>8s}")
        for k, v in tiempos.items():
            print(f"{k:62s} {med[k]:8.2f}s {min(v):7.2f}s")
        print(f"tamaño: pg_dump {tamano_legible(crudo.stat().st_size)}, "
              f"amauta {tamano_legible(archivo_amauta().stat().st_size)}")
        print()
        mins = {k: min(v) for k, v in tiempos.items()}
        pares = [
            ("backup", "amauta db backup", ["pg_dump -Fc"]),
            ("restore", "amauta db restore --limpiar --si --sin-respaldo", ["pg_restore --clean -1"]),
            ("restore con respaldo de seguridad",
             "amauta db restore --limpiar --si (con respaldo de seguridad)",
             ["pg_dump -Fc", "pg_restore --clean -1"]),
        ]
        # Cada repetición corre amauta y la herramienta a secas una al lado de la otra: la
        # razón de cada par comparte la carga del momento (la máquina es compartida).
        print("razón amauta / a secas (objetivo: sobrecosto ≤ +15 %, mediana de las razones por par)")
        for que, a, bs in pares:
            por_par = [tiempos[a][i] / sum(tiempos[b][i] for b in bs) for i in range(args.repeticiones)]
            razon = statistics.median(por_par)
            de_medianas = med[a] / sum(med[b] for b in bs)
            de_minimos = mins[a] / sum(mins[b] for b in bs)
            estado = "cumple" if razon <= 1.15 else "NO cumple"
            print(f"  {que:36s} {razon:.3f} ({100 * (razon - 1):+.1f} %: {estado}) · pares "
                  f"{' '.join(f'{r:.2f}' for r in por_par)} · de medianas {de_medianas:.3f} · "
                  f"de mínimos {de_minimos:.3f}")
    finally:
        cerrar_motores()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"(se borró la base {nombre} y {tmp})")


if __name__ == "__main__":
    main()
