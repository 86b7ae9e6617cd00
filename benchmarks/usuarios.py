"""Benchmark de ``amauta usuarios importar``.

Mide, en cada motor:

1. La importación de un CSV generado de N estudiantes SIN contraseña (por defecto
   10.000): mediana de varias corridas y filas por segundo, por el mismo camino que el
   comando (validar el CSV contra la base, luego escribir en una transacción). Al lado,
   la línea de base cruda: solo la escritura de esas mismas filas ya armadas (COPY en
   PostgreSQL, executemany en SQLite), y una corrida completa del comando instalado
   (``amauta usuarios importar``, con el arranque del proceso incluido).
2. La importación de 100 filas CON contraseña contra el tiempo de calcular 100 hashes
   bcrypt solos en todos los núcleos (``seguridad.hashear_muchos``): la relación dice
   cuánto agrega la importación por encima del hash.

Objetivos (issue 4): 10.000 filas sin contraseña en menos de 5 s en PostgreSQL; con
contraseñas, a no más de 20 % del hash solo.

Uso::

    python benchmarks/usuarios.py [--filas 10000] [--repeticiones 5] [--repeticiones-password 6]
                                  [--motores sqlite,postgresql]

PostgreSQL: ``AMAUTA_BENCH_PG_URL`` (por defecto ``postgresql://postgres@127.0.0.1:5432/postgres``);
crea una base ``amauta_bench_*`` y la borra al terminar.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_ADMIN = os.environ.get("AMAUTA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NOMBRES = ["Sofía", "Joaquín", "Valentina", "Mateo", "Inés", "Tomás", "Lucía", "Benjamín"]
APELLIDOS = ["González", "Rodríguez", "Fernández", "López", "Martínez", "Pérez", "Núñez", "Ibáñez"]


def generar_csv(ruta: Path, filas: int, con_password: bool = False, prefijo: str = "estudiante") -> None:
    with open(ruta, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["email", "nombre", "apellido", "rol", "matricula", "grado", "ciudad"] + (["password"] if con_password else []))
        for i in range(filas):
            fila = [
                f"{prefijo}{i:06d}@escuela.edu.ar",
                NOMBRES[i % len(NOMBRES)],
                APELLIDOS[(i // len(NOMBRES)) % len(APELLIDOS)],
                "ESTUDIANTE",
                f"2025-{i:06d}",
                f"{1 + i % 6}ro",
                "Córdoba",
            ]
            if con_password:
                fila.append(f"Clave-Segura-{i:04d}")
            w.writerow(fila)


def vaciar(url: str) -> None:
    from amauta_cli.db import conexion

    with conexion(url) as con:
        if url.startswith("postgresql"):
            con.exec_driver_sql('TRUNCATE "GrupoEstudiante", "Perfil", "Usuario" CASCADE')
        else:
            con.exec_driver_sql('DELETE FROM "Perfil"')
            con.exec_driver_sql('DELETE FROM "Usuario"')


def importar(url: str, ruta: Path, desglose: bool = False):
    """El camino del comando, sin el arranque del proceso. Devuelve segundos
    (con ``desglose``: total y la parte que NO es calcular hashes)."""
    from amauta_cli.db import transaccion
    from amauta_cli.services import usuarios

    t = time.perf_counter()
    with transaccion(url, solo_lectura=True) as s:
        plan = usuarios.planificar_importacion(s, ruta)
    t_hash = time.perf_counter()
    usuarios.hashear_passwords(plan)
    t_hash = time.perf_counter() - t_hash
    with transaccion(url) as s:
        usuarios.aplicar_importacion(s, plan)
    total = time.perf_counter() - t
    return (total, total - t_hash) if desglose else total


def escritura_cruda(url: str, filas: int) -> float:
    """Línea de base: solo escribir filas ya armadas (sin CSV, sin validar, sin consultar)."""
    from amauta_cli.db import transaccion
    from amauta_cli.ids import ahora, cuid
    from amauta_cli.models import Perfil, Usuario
    from amauta_cli.seguridad import password_inutilizable
    from amauta_cli.services.usuarios import insertar_filas

    t0 = ahora()
    us, ps = [], []
    for i in range(filas):
        uid = cuid()
        us.append(dict(id=uid, email=f"crudo{i:06d}@escuela.edu.ar", nombre="Sofía", apellido="González",
                       rol="ESTUDIANTE", password=password_inutilizable(), avatar=None, activo=True,
                       emailVerificado=None, createdAt=t0, updatedAt=t0))
        ps.append(dict(id=cuid(), usuarioId=uid, matricula=f"2025-{i:06d}", grado="1ro", ciudad="Córdoba",
                       pais=None, telefono=None, institucion=None, bio=None, especialidad=[],
                       experiencia=None, createdAt=t0, updatedAt=t0))
    t = time.perf_counter()
    with transaccion(url) as s:
        insertar_filas(s, Usuario.__table__, us)
        insertar_filas(s, Perfil.__table__, ps)
    return time.perf_counter() - t


def cli_completo(url: str, ruta: Path) -> float:
    amauta = Path(sys.executable).with_name("amauta")
    orden = [str(amauta)] if amauta.exists() else [sys.executable, "-m", "amauta_cli"]
    env = {**os.environ, "AMAUTA_DATABASE_URL": url}
    t = time.perf_counter()
    r = subprocess.run([*orden, "usuarios", "importar", str(ruta)], env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"amauta usuarios importar falló:\n{r.stderr}")
    return dt


def hash_solo(n: int) -> float:
    from amauta_cli.seguridad import hashear_muchos

    t = time.perf_counter()
    hashear_muchos([f"Clave-Segura-{i:04d}" for i in range(n)])
    return time.perf_counter() - t


def medir_motor(motor: str, url: str, args: argparse.Namespace, carpeta: Path) -> dict:
    from amauta_cli.services.esquema import migrar

    migrar(url)
    ruta = carpeta / f"estudiantes_{args.filas}.csv"
    generar_csv(ruta, args.filas)
    tiempos = []
    for _ in range(args.repeticiones):
        vaciar(url)
        tiempos.append(importar(url, ruta))
    crudos = []
    for _ in range(args.repeticiones):
        vaciar(url)
        crudos.append(escritura_cruda(url, args.filas))
    vaciar(url)
    cli = cli_completo(url, ruta)

    ruta_pw = carpeta / "con_password_100.csv"
    generar_csv(ruta_pw, 100, con_password=True, prefijo="conclave")
    # Pares medidos uno detrás del otro, alternando cuál va primero: con la máquina
    # compartida, la relación de cada par es más estable que comparar medianas sueltas.
    con_pw, solo, relaciones, fuera_del_hash = [], [], [], []
    for i in range(args.repeticiones_password):
        vaciar(url)
        if i % 2:
            a, resto = importar(url, ruta_pw, desglose=True)
            b = hash_solo(100)
        else:
            b = hash_solo(100)
            a, resto = importar(url, ruta_pw, desglose=True)
        con_pw.append(a)
        solo.append(b)
        relaciones.append(a / b)
        fuera_del_hash.append(resto)
    vaciar(url)
    return {
        "motor": motor,
        "mediana": statistics.median(tiempos),
        "min": min(tiempos),
        "max": max(tiempos),
        "crudo": statistics.median(crudos),
        "cli": cli,
        "con_pw": statistics.median(con_pw),
        "hash_solo": statistics.median(solo),
        "relacion": statistics.median(relaciones),
        "fuera_del_hash": statistics.median(fuera_del_hash),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--filas", type=int, default=10_000)
    p.add_argument("--repeticiones", type=int, default=5)
    p.add_argument("--repeticiones-password", type=int, default=6)
    p.add_argument("--motores", default="sqlite,postgresql")
    args = p.parse_args()

    from amauta_cli.db import cerrar_motores

    motores = [m.strip() for m in args.motores.split(",") if m.strip()]
    carpeta = Path(tempfile.mkdtemp(prefix="amauta-bench-"))
    resultados = []
    try:
        for motor in motores:
            if motor == "sqlite":
                url = f"sqlite:///{carpeta / 'bench.db'}"
                resultados.append(medir_motor(motor, url, args, carpeta))
                cerrar_motores()
            else:
                import psycopg
                from sqlalchemy.engine import make_url

                nombre = f"amauta_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                    c.execute(f'CREATE DATABASE "{nombre}"')
                url = make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=nombre).render_as_string(hide_password=False)
                try:
                    resultados.append(medir_motor(motor, url, args, carpeta))
                finally:
                    cerrar_motores()
                    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                        c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)

    print(f"amauta usuarios importar — {args.filas} estudiantes sin contraseña, "
          f"{args.repeticiones} corridas; 100 con contraseña, {args.repeticiones_password} corridas; "
          f"{os.cpu_count()} núcleo(s)")
    print()
    print(f"{'motor':<11} {'mediana':>9} {'filas/s':>9} {'mín':>7} {'máx':>7} {'escritura cruda':>16} {'CLI completo':>13}")
    for r in resultados:
        print(
            f"{r['motor']:<11} {r['mediana']:>8.2f}s {args.filas / r['mediana']:>9,.0f} {r['min']:>6.2f}s "
            f"{r['max']:>6.2f}s {r['crudo']:>15.2f}s {r['cli']:>12.2f}s"
        )
    print()
    print(f"{'motor':<11} {'100 con contraseña':>19} {'100 hashes solos':>17} {'relación (mediana de pares)':>28} "
          f"{'importación fuera del hash':>27}")
    for r in resultados:
        print(f"{r['motor']:<11} {r['con_pw']:>18.2f}s {r['hash_solo']:>16.2f}s {r['relacion']:>27.2f}x "
              f"{r['fuera_del_hash']:>26.3f}s")
    print("(la última columna es lo que la importación agrega al hash: leer, validar y escribir;\n"
          " lo demás de la diferencia es el ruido de una máquina compartida)")
    print()
    for r in resultados:
        if r["motor"] == "postgresql":
            ok = r["mediana"] < 5
            print(f"Objetivo PostgreSQL < 5 s para {args.filas} filas: {'cumple' if ok else 'NO cumple'} ({r['mediana']:.2f} s)")
    for r in resultados:
        ok = r["relacion"] <= 1.2
        print(f"Objetivo {r['motor']} con contraseñas <= 1,20x del hash solo: {'cumple' if ok else 'NO cumple'} "
              f"({r['relacion']:.2f}x)")


if __name__ == "__main__":
    main()
