"""Latencia de los comandos de todos los días frente a su piso: el driver a secas.

Mide procesos enteros (arranque, imports, conexión, consultas, dibujo en el formato por
defecto), intercalados con su línea de base en la misma corrida (``benchmarks/comun.py``):

- ``asistencia registrar`` de un grupo de 30 estudiantes (el día se vacía antes de cada
  corrida, fuera del tiempo medido, así que siempre se escriben 30 filas),
- ``asistencia ver`` de ese grupo,
- ``usuarios listar`` (la primera página de 50 entre 330 usuarios),
- ``calificaciones registrar`` de una nota nueva (se borra antes de cada corrida),
- ``db estado``.

La línea de base es un programa de Python mínimo que importa Typer, abre una conexión con el
driver (psycopg / sqlite3), hace las mismas consultas (revisión del esquema, grupo, bloqueo,
estudiantes, registros previos, upsert...) y escribe el resultado. Objetivos: cada comando
dentro de 2× su piso en PostgreSQL y 3,5× en SQLite.

    .venv/bin/python benchmarks/latencia.py [--motores sqlite,postgresql] [--pares 7]

Borra lo que crea (la base de PostgreSQL y la carpeta temporal) al terminar.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from comun import Comando, RAIZ, amauta, comparar, imprimir  # noqa: E402

PG_ADMIN = os.environ.get("AMAUTA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
GRUPO = "Grupo Latencia"
ESTUDIANTES = 30
OTROS = 300
OBJETIVOS = {"postgresql": 2.0, "sqlite": 3.5}


def ultimo_dia_habil() -> date:
    """El último día de clase antes de hoy según el calendario escolar (registrar rechaza
    fines de semana, feriados y días fuera del ciclo lectivo)."""
    from amauta_cli.services.calendario import calendario

    cal = calendario()
    d = date.today() - timedelta(days=1)
    while not cal.es_de_clase(d):
        d -= timedelta(days=1)
    return d


# --- La línea de base: el driver a secas, las mismas consultas ----------------------------------
PISO = r'''
import sys
import typer  # el piso de una CLI en Python: Typer y el driver

motor, destino, caso, dia = sys.argv[1:5]
if motor == "sqlite":
    import sqlite3
    con = sqlite3.connect(destino, isolation_level=None)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA busy_timeout=30000")
    P = "?"
    def q(sql, *a):
        return con.execute(sql, a).fetchall()
    def muchos(sql, filas):
        con.executemany(sql, filas)
    q("BEGIN IMMEDIATE" if caso in ("registrar", "calificar") else "BEGIN")
    fecha = dia + " 00:00:00.000000"
    ahora = "2024-01-01 00:00:00.000000"
    plegar = "lower({})"
else:
    import psycopg
    con = psycopg.connect(destino, prepare_threshold=None)
    P = "%s"
    def q(sql, *a):
        cur = con.execute(sql, a)
        return cur.fetchall() if cur.description else []
    def muchos(sql, filas):
        with con.cursor() as cur:
            cur.executemany(sql, filas)
    fecha = dia
    ahora = "2024-01-01 00:00:00"
    plegar = "lower(translate(normalize({}, NFC), 'áéíóú', 'aeiou'))"

def x(sql):
    return sql.replace("?", P)

q("SELECT version_num FROM alembic_version")
if caso in ("registrar", "ver", "calificar"):
    (g,) = q(x('SELECT g.id, g.nombre, g.activo, i.nombre FROM "Grupo" g JOIN "Institucion" i '
               'ON i.id = g."institucionId" WHERE ' + plegar.format("g.nombre") + ' = ?'), "grupo latencia")
if caso == "registrar":
    if motor == "postgresql":
        q("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", "amauta.asistencia|" + g[0] + "|" + dia)
    est = q(x('SELECT u.id, u.email, u.activo, p.matricula FROM "GrupoEstudiante" ge JOIN "Usuario" u '
              'ON u.id = ge."estudianteId" LEFT JOIN "Perfil" p ON p."usuarioId" = u.id '
              'WHERE ge."grupoId" = ? ORDER BY u.apellido, u.nombre'), g[0])
    q(x('SELECT "estudianteId", estado, observaciones FROM "Asistencia" WHERE "grupoId" = ? AND fecha = ?'),
      g[0], fecha)
    muchos(x('INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, '
             '"createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("grupoId", '
             '"estudianteId", fecha) DO UPDATE SET estado = excluded.estado'),
           [("piso" + e[0], g[0], e[0], fecha, "PRESENTE", None, ahora, ahora) for e in est])
    print(f"Asistencia de '{g[1]}': {len(est)} presentes.")
elif caso == "ver":
    filas = q(x('SELECT u.email, u.apellido, u.nombre, p.matricula, a.estado, a.observaciones '
                'FROM "GrupoEstudiante" ge JOIN "Usuario" u ON u.id = ge."estudianteId" '
                'LEFT JOIN "Perfil" p ON p."usuarioId" = u.id LEFT JOIN "Asistencia" a ON '
                'a."estudianteId" = u.id AND a."grupoId" = ge."grupoId" AND a.fecha = ? '
                'WHERE ge."grupoId" = ? ORDER BY u.apellido, u.nombre'), fecha, g[0])
    for f in filas:
        print(" | ".join(str(c or "") for c in f))
elif caso == "listar":
    q('SELECT count(*) FROM "Usuario" u LEFT JOIN "Perfil" p ON p."usuarioId" = u.id')
    for f in q('SELECT u.email, u.apellido, u.nombre, u.rol, u.activo, p.matricula, p.grado, u.id, '
               'u."createdAt" FROM "Usuario" u LEFT JOIN "Perfil" p ON p."usuarioId" = u.id '
               'ORDER BY u.apellido, u.nombre, u.email LIMIT 50'):
        print(" | ".join(str(c or "") for c in f))
elif caso == "calificar":
    (u,) = q(x('SELECT id, email, nombre, apellido, activo FROM "Usuario" WHERE lower(email) = ?'),
             "latencia.001@mail.com")
    q(x('SELECT 1 FROM "GrupoEstudiante" WHERE "grupoId" = ? AND "estudianteId" = ?'), g[0], u[0])
    if motor == "postgresql":
        q("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", "amauta.calificaciones|" + g[0] + "|1er trimestre")
    for col, v in (("materia", "historia"), ("periodo", "1er trimestre")):
        q(x(f'SELECT {col} FROM "Calificacion" WHERE "grupoId" = ? AND ' + plegar.format(col) + ' = ? LIMIT 1'), g[0], v)
    q(x('SELECT nota FROM "Calificacion" WHERE "grupoId" = ? AND "estudianteId" = ? AND materia = ? AND periodo = ?'),
      g[0], u[0], "Historia", "1er Trimestre")
    q(x('INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "notaMaxima", '
        '"createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("grupoId", "estudianteId", '
        'materia, periodo) DO UPDATE SET nota = excluded.nota'),
      "pisocalif", g[0], u[0], "Historia", "1er Trimestre", 8.0, 10.0, ahora, ahora)
    print(f"Nota registrada: {u[1]}: 8/10.")
elif caso == "estado":
    if motor == "sqlite":
        version = q("SELECT sqlite_version()")[0][0]
        tablas = [t for (t,) in q("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    else:
        version = q("SHOW server_version")[0][0]
        tablas = [t for (t,) in q("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    filas = q(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tablas))
    q("SELECT valor FROM \"_amauta_meta\" WHERE clave = 'entorno'")
    print(version)
    for t, n in filas:
        print(f"{t}: {n}")
if motor == "sqlite":
    q("COMMIT")
else:
    con.commit()
con.close()
'''


# --- Preparación ----------------------------------------------------------------------------------
def correr(env: dict[str, str], *args: str, entrada: str | None = None) -> str:
    r = subprocess.run(
        [*amauta(), *args], env={**os.environ, **env}, capture_output=True, text=True, input=entrada
    )
    if r.returncode != 0:
        raise SystemExit(f"falló amauta {' '.join(args)}:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def preparar(url: str, carpeta: Path) -> None:
    env = {"AMAUTA_DATABASE_URL": url}
    correr(env, "seed", "--si")
    filas = ["email,nombre,apellido,rol,matricula"]
    for i in range(1, OTROS + ESTUDIANTES + 1):
        filas.append(f"latencia.{i:03d}@mail.com,Nombre{i},Apellido{i:03d},ESTUDIANTE,L-{i:04d}")
    csv_usuarios = carpeta / "usuarios.csv"
    csv_usuarios.write_text("\n".join(filas) + "\n", encoding="utf-8")
    correr(env, "usuarios", "importar", str(csv_usuarios))
    correr(env, "grupos", "crear", "-i", "Escuela Primaria Nº 42", "-n", GRUPO, "-e", "maria.gonzalez@edu.ar")
    csv_grupo = carpeta / "grupo.csv"
    csv_grupo.write_text(
        "email\n" + "".join(f"latencia.{i:03d}@mail.com\n" for i in range(1, ESTUDIANTES + 1)),
        encoding="utf-8",
    )
    correr(env, "grupos", "agregar-estudiantes", GRUPO, "--archivo", str(csv_grupo))


def ejecutor_sql(motor: str, url: str):
    """Una función que ejecuta SQL de limpieza entre corridas (fuera del tiempo medido)."""
    if motor == "sqlite":
        import sqlite3

        ruta = url.split("///", 1)[1]

        def ejecutar(sql: str, *params: str) -> None:
            c = sqlite3.connect(ruta)
            c.execute(sql, params)
            c.commit()
            c.close()

        return ejecutar
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")

    def ejecutar_pg(sql: str, *params: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(sql.replace("?", "%s"), params)

    return ejecutar_pg


def medir_motor(motor: str, pares: int) -> list:
    carpeta = Path(tempfile.mkdtemp(prefix="amauta-latencia-"))
    base_pg = None
    try:
        if motor == "sqlite":
            ruta = carpeta / "amauta.db"
            url = f"sqlite:///{ruta}"
            destino_piso = str(ruta)
        else:
            import psycopg

            base_pg = f"amauta_bench_latencia_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{base_pg}"')
            raiz = PG_ADMIN.rsplit("/", 1)[0]
            url = f"{raiz}/{base_pg}"
            destino_piso = url
        print(f"[{motor}] preparando datos...", file=sys.stderr)
        preparar(url, carpeta)
        dia = ultimo_dia_habil().isoformat()
        ejecutar = ejecutor_sql(motor, url)
        fecha_bd = dia + " 00:00:00.000000" if motor == "sqlite" else dia

        def vaciar_dia() -> None:
            ejecutar(
                'DELETE FROM "Asistencia" WHERE fecha = ? AND "grupoId" IN '
                '(SELECT id FROM "Grupo" WHERE nombre = ?)',
                fecha_bd,
                GRUPO,
            )

        def borrar_nota() -> None:
            ejecutar('DELETE FROM "Calificacion" WHERE materia = ? AND periodo = ?', "Historia", "1er Trimestre")

        env = {"AMAUTA_DATABASE_URL": url, "COLUMNS": "120"}
        piso = [sys.executable, "-c", PISO, motor, destino_piso]
        casos = [
            (
                "asistencia registrar (30)",
                ["asistencia", "registrar", "-g", GRUPO, "--fecha", dia, "--todos", "PRESENTE"],
                "registrar",
                vaciar_dia,
            ),
            ("asistencia ver", ["asistencia", "ver", "-g", GRUPO, "--fecha", dia], "ver", None),
            ("usuarios listar", ["usuarios", "listar"], "listar", None),
            (
                "calificaciones registrar",
                ["calificaciones", "registrar", "-g", GRUPO, "-e", "latencia.001@mail.com",
                 "--materia", "Historia", "--periodo", "1er Trimestre", "--nota", "8"],
                "calificar",
                borrar_nota,
            ),
            ("db estado", ["db", "estado"], "estado", None),
        ]
        resultados = []
        for nombre, args, caso, antes in casos:
            resultados.append(
                comparar(
                    f"{motor}: {nombre}",
                    Comando([*amauta(), *args], env=env, antes=antes),
                    Comando([*piso, caso, dia], env=env, antes=antes),
                    pares=pares,
                    base="driver a secas",
                )
            )
        return resultados
    finally:
        shutil.rmtree(carpeta, ignore_errors=True)
        if base_pg:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{base_pg}" WITH (FORCE)')


def compilar_paquete() -> None:
    """El bytecode de amauta_cli, como lo deja ``pip install`` de un wheel: sin él (una
    instalación editable con PYTHONDONTWRITEBYTECODE=1) cada corrida recompila el paquete
    entero y la medida dejaría de ser la de un usuario."""
    import compileall

    import amauta_cli

    compileall.compile_dir(Path(amauta_cli.__file__).parent, quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--motores", default="sqlite,postgresql")
    ap.add_argument("--pares", type=int, default=7)
    args = ap.parse_args()
    os.chdir(RAIZ)
    compilar_paquete()
    for motor in [m.strip() for m in args.motores.split(",") if m.strip()]:
        resultados = medir_motor(motor, args.pares)
        print(f"\n{motor}: proceso amauta entero frente al driver a secas (objetivo ≤ {OBJETIVOS[motor]:g}×)")
        imprimir(resultados, objetivo=OBJETIVOS[motor])


if __name__ == "__main__":
    main()
