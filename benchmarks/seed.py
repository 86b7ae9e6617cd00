"""Benchmark de ``amauta seed``: mediana de ``seed --reset --si`` y de un ``seed`` repetido,
en SQLite y PostgreSQL, y en la misma corrida lo que cuesta bcrypt solo (8 hashes y 8
verificaciones en paralelo) y el arranque de ``amauta --version`` (piso de todo comando).

Cada medición es el comando instalado en un proceso nuevo, como lo corre un usuario: se
informa el tiempo de reloj y el de CPU (usuario + sistema) del proceso. En una máquina
compartida el reloj depende de la carga (se imprime el promedio de carga); la CPU casi no.
Objetivo: ``--reset`` por debajo de 2 s en cada motor.

    .venv/bin/python benchmarks/seed.py [--repeticiones 5] [--motores sqlite,postgresql]

Las bases que crea (un archivo temporal, ``amauta_bench_*`` en PostgreSQL) se borran al final.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

OBJETIVO_RESET = 2.0
PG_ADMIN = os.environ.get("AMAUTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def amauta() -> list[str]:
    script = Path(sys.executable).parent / "amauta"
    return [str(script)] if script.exists() else [sys.executable, "-m", "amauta_cli"]


def medir_comando(args: list[str], url: str | None, n: int) -> tuple[list[float], list[float]]:
    """(segundos de reloj, segundos de CPU usuario + sistema) de cada corrida."""
    import resource

    env = dict(os.environ)
    env.pop("AMAUTA_ENV", None)
    if url:
        env["AMAUTA_DATABASE_URL"] = url
    reloj, cpu = [], []
    for _ in range(n):
        antes = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(amauta() + args, env=env, capture_output=True, text=True)
        reloj.append(time.perf_counter() - t)
        despues = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(despues.ru_utime - antes.ru_utime + despues.ru_stime - antes.ru_stime)
        if r.returncode != 0:
            sys.exit(f"falló `amauta {' '.join(args)}`:\n{r.stderr}")
    return reloj, cpu


def medir_funcion(f, n: int) -> list[float]:
    tiempos = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        tiempos.append(time.perf_counter() - t)
    return tiempos


def fila(nombre: str, tiempos: list[float], cpu: list[float] | None = None) -> str:
    texto = (
        f"  {nombre:<44} mediana {statistics.median(tiempos):6.3f} s"
        f"   (mín {min(tiempos):.3f}, máx {max(tiempos):.3f}, n={len(tiempos)})"
    )
    if cpu:
        texto += f"   CPU {statistics.median(cpu):.3f} s"
    return texto


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeticiones", "-n", type=int, default=5)
    p.add_argument("--motores", default="sqlite,postgresql")
    a = p.parse_args()
    n = a.repeticiones
    motores = [m.strip() for m in a.motores.split(",") if m.strip()]

    from amauta_cli.seguridad import hashear_muchos
    from amauta_cli.services.seed import _verificar_muchos

    print(
        f"amauta seed — {n} repeticiones, {os.cpu_count()} núcleos, Python {sys.version.split()[0]}"
    )
    print(f"promedio de carga al empezar: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("Referencias (misma corrida):")
    print(fila("arranque: amauta --version", *medir_comando(["--version"], None, n)))
    hashes = hashear_muchos(["Amauta2024!"] * 8)
    print(
        fila(
            "bcrypt solo: 8 hashes costo 10 en paralelo",
            medir_funcion(lambda: hashear_muchos(["Amauta2024!"] * 8), n),
        )
    )
    print(
        fila(
            "bcrypt solo: 8 verificaciones en paralelo",
            medir_funcion(lambda: _verificar_muchos([("Amauta2024!", h) for h in hashes]), n),
        )
    )

    cumple = True
    for motor in motores:
        limpiar = lambda: None  # noqa: E731
        if motor == "sqlite":
            carpeta = tempfile.mkdtemp(prefix="amauta-bench-")
            url = f"sqlite:///{carpeta}/bench.db"

            def limpiar(carpeta=carpeta):  # noqa: F811
                import shutil

                shutil.rmtree(carpeta, ignore_errors=True)
        else:
            import psycopg
            from sqlalchemy.engine import make_url

            nombre = f"amauta_bench_{uuid.uuid4().hex[:8]}"
            try:
                with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as c:
                    c.execute(f'CREATE DATABASE "{nombre}"')
            except psycopg.OperationalError as e:
                print(f"{motor}: sin servidor en {PG_ADMIN} ({e}); se omite")
                continue
            url = (
                make_url(PG_ADMIN)
                .set(drivername="postgresql+psycopg", database=nombre)
                .render_as_string(hide_password=False)
            )

            def limpiar(nombre=nombre):  # noqa: F811
                with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')

        try:
            print(f"{motor}:")
            medir_comando(
                ["seed", "--reset", "--si"], url, 1
            )  # calentar (caché del sistema de archivos)
            reset = medir_comando(["seed", "--reset", "--si"], url, n)
            repetido = medir_comando(["seed"], url, n)
            print(fila("amauta seed --reset --si", *reset))
            print(fila("amauta seed (repetido, sin cambios)", *repetido))
            ok = statistics.median(reset[0]) < OBJETIVO_RESET
            cumple &= ok
            print(f"  objetivo --reset < {OBJETIVO_RESET:.0f} s: {'cumple' if ok else 'NO CUMPLE'}")
        finally:
            limpiar()
    print(f"promedio de carga al terminar: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if cumple else 1


if __name__ == "__main__":
    sys.exit(main())
