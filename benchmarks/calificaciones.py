"""``amauta calificaciones`` con las notas de un distrito, como lo corre un usuario (PostgreSQL).

Genera (por defecto) 30.000 estudiantes en grupos de 30, 10 materias y 3 períodos:
900.000 calificaciones (una materia sobre 100, el resto sobre 10), con COPY, y un «Grupo
grande» con los 30.000 estudiantes. Mide procesos enteros intercalados con su línea de base en
``psql``, en la misma corrida (``benchmarks/comun.py``):

- ``calificaciones cargar`` de una planilla de 30.000 notas (el grupo grande, una materia, un
  período; las notas de esa materia y período se borran antes de cada corrida) frente al
  mismo CSV cargado con SQL a secas: ``\copy`` a una tabla temporal y un ``INSERT ... SELECT
  ... ON CONFLICT DO UPDATE`` que resuelve los emails con un join. Objetivo: ≤ 2×.
- ``calificaciones desaprobados`` del distrito (formato por defecto) frente a su consulta
  principal sola en ``psql`` (la misma sentencia que envía amauta). Objetivo: ≤ 1,5×.
- ``calificaciones reporte`` de un grupo de 30 frente a su consulta principal (sin objetivo:
  ahí manda el arranque; el piso de Python con el driver a secas se imprime al lado).
- ``desaprobados`` del distrito en tabla (terminal de 100 columnas) frente al mismo comando con
  ``--formato csv``. Objetivo: ≤ 1,3× (el dibujo de la tabla no debe costar más que eso).

Al lado, rotulado «en proceso», el tiempo del servicio dentro de un Python ya caliente.

    .venv/bin/python benchmarks/calificaciones.py [--escala 0.1] [--pares 5] [--conservar]

La base (``amauta_bench_calif_*``) y los archivos se borran al terminar, salvo ``--conservar``.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))

import comun  # noqa: E402
from comun import BasePG, Comando, comparar, imprimir  # noqa: E402

MATERIAS = [
    "Matemáticas", "Lengua", "Ciencias Naturales", "Ciencias Sociales", "Inglés",
    "Educación Física", "Música", "Plástica", "Tecnología", "Formación Ética",
]
PERIODOS = ["1er Trimestre", "2do Trimestre", "3er Trimestre"]
#: La materia que se califica sobre 100 (para ejercitar la escala de 10).
SOBRE_100 = "Educación Física"
GRANDE = "Grupo grande"
POR_GRUPO = 30
#: La tabla de desaprobados del distrito dentro de 1,3× del mismo comando en CSV (issue 10).
OBJETIVO_TABLA_CSV = 1.3


# --- Datos del distrito -------------------------------------------------------------------------
def generar(url: str, estudiantes: int, semilla: int = 42) -> dict[str, Any]:
    """Llena la base por COPY y devuelve lo necesario para medir."""
    import psycopg

    from amauta_cli.ids import ahora, cuid, cuids

    azar = random.Random(semilla)
    t = ahora()
    n_grupos = max(1, -(-estudiantes // POR_GRUPO))
    n_inst = max(1, n_grupos // 30)
    instituciones = [(cuid(), f"Escuela Nº {i + 1:03d}") for i in range(n_inst)]
    educadores = [(cuid(), f"docente{i:03d}@distrito.edu.ar") for i in range(n_inst)]
    grupos = [
        (cuid(), f"Grupo {g + 1:04d}", instituciones[g % n_inst][0], educadores[g % n_inst][0])
        for g in range(n_grupos)
    ]
    grande = (cuid(), GRANDE, instituciones[0][0], educadores[0][0])
    alumnos = [(cuid(), f"alumno{i:06d}@distrito.edu.ar", grupos[i // POR_GRUPO][0]) for i in range(estudiantes)]

    def usuarios():
        for uid, email in educadores:
            yield (uid, email, "Docente", email.split("@")[0], "EDUCADOR", "!bench", t, t)
        for i, (uid, email, _g) in enumerate(alumnos):
            yield (uid, email, f"Nombre{i}", f"Apellido{i:06d}", "ESTUDIANTE", "!bench", t, t)

    def perfiles():
        for i, ((uid, _e, _g), pid) in enumerate(zip(alumnos, cuids(len(alumnos)))):
            yield (pid, uid, f"M-{i:06d}", t, t)

    def notas():
        ids = iter(cuids(len(alumnos) * len(MATERIAS) * len(PERIODOS)))
        for uid, _e, gid in alumnos:
            nivel = azar.gauss(7.2, 1.2)  # cada estudiante tiene su nivel
            for materia in MATERIAS:
                maxima = 100.0 if materia == SOBRE_100 else 10.0
                for periodo in PERIODOS:
                    n = min(10.0, max(1.0, round(azar.gauss(nivel, 1.1) * 2) / 2))
                    yield (next(ids), gid, uid, materia, periodo, n * maxima / 10, maxima, t, t)

    tablas: list[tuple[str, list[str], Callable[[], Iterator[tuple]]]] = [
        ("Institucion", ["id", "nombre", "tipo", "createdAt", "updatedAt"],
         lambda: ((i, n, "ESCUELA", t, t) for i, n in instituciones)),
        ("Usuario", ["id", "email", "nombre", "apellido", "rol", "password", "createdAt", "updatedAt"], usuarios),
        ("Perfil", ["id", "usuarioId", "matricula", "createdAt", "updatedAt"], perfiles),
        ("Grupo", ["id", "nombre", "institucionId", "educadorId", "createdAt", "updatedAt"],
         lambda: ((g, n, i, e, t, t) for g, n, i, e in [*grupos, grande])),
        ("GrupoEstudiante", ["grupoId", "estudianteId", "inscritoEn"],
         lambda: [*((g, u, t) for u, _e, g in alumnos), *((grande[0], u, t) for u, _e, _g in alumnos)]),
        ("Calificacion",
         ["id", "grupoId", "estudianteId", "materia", "periodo", "nota", "notaMaxima", "createdAt", "updatedAt"],
         notas),
    ]
    with psycopg.connect(comun.dsn(url)) as con, con.cursor() as cur:
        for tabla, columnas, filas in tablas:
            cols = ", ".join(f'"{c}"' for c in columnas)
            with cur.copy(f'COPY "{tabla}" ({cols}) FROM STDIN') as copia:
                for fila in filas():
                    copia.write_row(fila)
        con.commit()
    comun_bd_analizar(url)
    medio = grupos[len(grupos) // 2]
    return {
        "grupo": medio[1],
        "grande_id": grande[0],
        "emails": [e for _u, e, _g in alumnos],
        "grupos": n_grupos,
        "instituciones": n_inst,
        "calificaciones": estudiantes * len(MATERIAS) * len(PERIODOS),
    }


def comun_bd_analizar(url: str) -> None:
    import psycopg

    with psycopg.connect(comun.dsn(url), autocommit=True) as c:
        c.execute("VACUUM ANALYZE")


def escribir_csv(ruta: Path, emails: list[str], azar: random.Random) -> Path:
    """Una planilla como la guarda Excel en español: ``;`` y coma decimal."""
    lineas = ["email;nota;observaciones"]
    for e in emails:
        lineas.append(f"{e};{str(round(azar.uniform(1, 10) * 2) / 2).replace('.', ',')};")
    ruta.write_text("\n".join(lineas) + "\n", encoding="utf-8")
    return ruta


#: Lo mismo a mano: la planilla a una tabla temporal y un upsert que resuelve los emails.
SQL_CARGAR = r"""
CREATE TEMP TABLE carga (email text, nota text, observaciones text);
\copy carga FROM '{csv}' WITH (FORMAT csv, HEADER, DELIMITER ';')
INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, "notaMaxima", observaciones, "createdAt", "updatedAt")
  SELECT 'c' || substr(md5(random()::text || u.id), 1, 24), '{grupo}', u.id, 'Matemáticas', '1er Trimestre',
         replace(c.nota, ',', '.')::float, 10, nullif(c.observaciones, ''), now(), now()
  FROM carga c JOIN "Usuario" u ON lower(u.email) = lower(trim(c.email))
ON CONFLICT ("grupoId", "estudianteId", materia, periodo) DO UPDATE
  SET nota = excluded.nota, "notaMaxima" = excluded."notaMaxima", observaciones = excluded.observaciones,
      "updatedAt" = excluded."updatedAt";
"""


def _n(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


# --- Medidas --------------------------------------------------------------------------------------
def en_proceso(url: str, fn, veces: int = 5) -> float:
    from amauta_cli.db import transaccion

    tiempos = []
    for _ in range(veces + 1):
        t0 = time.perf_counter()
        with transaccion(url, solo_lectura=True) as s:
            fn(s)
        tiempos.append(time.perf_counter() - t0)
    return statistics.median(tiempos[1:])


def medir(bd: BasePG, datos: dict[str, Any], pares: int, carpeta: Path) -> list[comun.Resultado]:
    from amauta_cli.services import calificaciones as cal

    amauta = [*comun.amauta(), "--db-url", bd.url]
    resultados = []

    # cargar: 30.000 notas nuevas cada vez (las de esa materia y período se borran antes).
    planilla = escribir_csv(carpeta / "planilla.csv", datos["emails"], random.Random(7))
    script = carpeta / "cargar.sql"
    script.write_text(SQL_CARGAR.format(csv=planilla, grupo=datos["grande_id"]), encoding="utf-8")

    def borrar() -> None:
        bd.ejecutar(
            f'DELETE FROM "Calificacion" WHERE "grupoId" = \'{datos["grande_id"]}\' '
            "AND materia = 'Matemáticas' AND periodo = '1er Trimestre'"
        )

    n = len(datos["emails"])
    resultados.append(comparar(
        f"calificaciones cargar ({_n(n)} notas)",
        Comando([*amauta, "calificaciones", "cargar", str(planilla), "-g", GRANDE, "-m", "Matemáticas",
                 "-p", "1er Trimestre"], antes=borrar),
        Comando(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", bd.dsn, "-f", str(script)], antes=borrar),
        pares=pares, base="el mismo CSV con \\copy + INSERT ... ON CONFLICT en psql", objetivo=2.0,
    ))

    r = cal.Reglas()
    for nombre, fn, args, objetivo in (
        (f"calificaciones desaprobados (distrito, {_n(datos['calificaciones'])} notas)",
         lambda s: cal.desaprobados(s, r=r), ["calificaciones", "desaprobados"], 1.5),
        (f"calificaciones reporte (1 grupo de {POR_GRUPO})",
         lambda s: cal.reporte(s, datos["grupo"], r=r), ["calificaciones", "reporte", "-g", datos["grupo"]], None),
    ):
        sql = comun.sql_de(bd.url, fn)
        res = comparar(nombre, Comando([*amauta, *args], env={"COLUMNS": "100"}), comun.psql(bd, sql),
                       pares=pares, base="su consulta principal sola en psql", objetivo=objetivo,
                       piso=comun.piso_python(bd, sql))
        res.extras.append(f"en proceso (servicio, Python caliente): {en_proceso(bd.url, fn) * 1000:.0f} ms")
        resultados.append(res)
    # issue 10: lo que ve quien lo corre en una terminal de 100 columnas (tabla) contra el CSV.
    base = [*amauta, "calificaciones", "desaprobados"]
    resultados.append(comparar(
        "desaprobados: tabla / csv", Comando(base, env={"COLUMNS": "100"}),
        Comando([*base, "--formato", "csv"], env={"COLUMNS": "100"}), pares=pares,
        base="el mismo comando con --formato csv", objetivo=OBJETIVO_TABLA_CSV,
    ))
    return resultados


def main() -> None:
    ap = comun.argumentos(__doc__)
    ap.add_argument("--conservar", action="store_true", help="no borrar la base al terminar")
    args = ap.parse_args()
    estudiantes = max(POR_GRUPO, round(30_000 * args.escala))
    with BasePG("calif", conservar=args.conservar) as bd, tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        datos = generar(bd.url, estudiantes)
        comun.encabezado(
            "calificaciones (PostgreSQL)", estudiantes=estudiantes,
            calificaciones=_n(datos["calificaciones"]),
            grupos=datos["grupos"], armado=f"{time.perf_counter() - t0:.0f} s",
        )
        resultados = medir(bd, datos, args.pares, Path(tmp))
        print()
        imprimir(resultados)


if __name__ == "__main__":
    main()
