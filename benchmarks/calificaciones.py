"""Benchmark de ``amauta calificaciones`` con las notas de un distrito.

Genera (por defecto) 20.000 estudiantes en grupos de 30, 10 materias y 3 períodos:
600.000 calificaciones (una materia sobre 100, el resto sobre 10), con COPY en
PostgreSQL y ``executemany`` en una transacción en SQLite. Después mide, en cada
motor, la mediana de varias corridas de:

- ``cargar``: la planilla de una materia de un grupo (CSV de 30 líneas: validación
  completa + un upsert + commit), creando, actualizando y sin cambios;
- ``reporte`` de un grupo (todas sus materias) y ``boletin --grupo`` del mismo grupo;
- ``desaprobados`` de todo el distrito;
- ``desaprobados`` del distrito en su formato por defecto (``tabla``, en una terminal de 100
  columnas) contra el mismo comando con ``--formato csv``: procesos enteros intercalados
  (``benchmarks/comun.py``); objetivo: la tabla dentro de 1,3× del CSV.

Cada medida se compara en la misma corrida con una línea de base cruda, sin amauta
alrededor: para ``cargar``, el mismo upsert de 30 filas con parámetros ya armados;
para los reportes, la MISMA sentencia de agregación que amauta envía (capturada),
ejecutada con el cursor del driver y ``fetchall``. Objetivo en PostgreSQL: menos de
1 s cada una. La máquina puede estar compartida: se imprime la carga del sistema.

Uso::

    python benchmarks/calificaciones.py                       # ambos motores, tamaño completo
    python benchmarks/calificaciones.py --estudiantes 2000 --motor sqlite   # prueba rápida

Las bases que crea (``amauta_bench_calif_*`` en PostgreSQL, un archivo temporal en
SQLite) se borran al terminar, salvo con ``--conservar``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

from amauta_cli.db import cerrar_motores, crear_motor, transaccion  # noqa: E402
from amauta_cli.ids import ahora, cuid  # noqa: E402
from amauta_cli.services import calificaciones as cal  # noqa: E402
from amauta_cli.services.esquema import migrar  # noqa: E402

MATERIAS = [
    "Matemáticas", "Lengua", "Ciencias Naturales", "Ciencias Sociales", "Inglés",
    "Educación Física", "Música", "Plástica", "Tecnología", "Formación Ética",
]
PERIODOS = ["1er Trimestre", "2do Trimestre", "3er Trimestre"]
#: La materia que se califica sobre 100 (para ejercitar la escala de 10).
SOBRE_100 = "Educación Física"
OBJETIVO_PG = 1.0


# --- Bases ---------------------------------------------------------------------------------
def pg_admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


@contextmanager
def base(motor: str, pg_url: str, conservar: bool) -> Iterator[str]:
    if motor == "sqlite":
        carpeta = Path(tempfile.mkdtemp(prefix="amauta_bench_calif_"))
        ruta = carpeta / "distrito.db"
        try:
            yield f"sqlite:///{ruta}"
        finally:
            cerrar_motores()
            if conservar:
                print(f"  (base conservada: {ruta})")
            else:
                for sufijo in ("", "-wal", "-shm"):
                    Path(f"{ruta}{sufijo}").unlink(missing_ok=True)
                carpeta.rmdir()
        return
    from sqlalchemy.engine import make_url

    nombre = f"amauta_bench_calif_{uuid.uuid4().hex[:8]}"
    with pg_admin(pg_url) as c:
        c.execute(f'CREATE DATABASE "{nombre}"')
    url = make_url(pg_url).set(drivername="postgresql+psycopg", database=nombre)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        cerrar_motores()
        if conservar:
            print(f"  (base conservada: {nombre})")
        else:
            with pg_admin(pg_url) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')


# --- Datos del distrito -------------------------------------------------------------------------
def generar(url: str, estudiantes: int, por_grupo: int, semilla: int) -> dict[str, Any]:
    """Llena la base y devuelve lo necesario para medir (un grupo y sus estudiantes)."""
    azar = random.Random(semilla)
    t = ahora()
    n_grupos = max(1, -(-estudiantes // por_grupo))
    n_inst = max(1, n_grupos // 30)
    instituciones = [(cuid(), f"Escuela Nº {i + 1:03d}") for i in range(n_inst)]
    educadores = [(cuid(), f"docente{i:03d}@distrito.edu.ar") for i in range(n_inst)]
    grupos = [
        (cuid(), f"Grupo {g + 1:04d}", instituciones[g % n_inst][0], educadores[g % n_inst][0])
        for g in range(n_grupos)
    ]
    alumnos = [(cuid(), f"alumno{i:06d}@distrito.edu.ar", grupos[i // por_grupo][0]) for i in range(estudiantes)]

    def usuarios():
        for uid, email in educadores:
            yield (uid, email, "Docente", email.split("@")[0], "EDUCADOR", "!bench", t, t)
        for i, (uid, email, _g) in enumerate(alumnos):
            yield (uid, email, f"Nombre{i}", f"Apellido{i:06d}", "ESTUDIANTE", "!bench", t, t)

    def perfiles():
        for i, (uid, _e, _g) in enumerate(alumnos):
            yield (cuid(), uid, f"M-{i:06d}", t, t)

    def notas():
        for uid, _e, gid in alumnos:
            nivel = azar.gauss(7.2, 1.2)  # cada estudiante tiene su nivel
            for materia in MATERIAS:
                maxima = 100.0 if materia == SOBRE_100 else 10.0
                for periodo in PERIODOS:
                    n = min(10.0, max(1.0, round(azar.gauss(nivel, 1.1) * 2) / 2))
                    yield (cuid(), gid, uid, materia, periodo, n * maxima / 10, maxima, t, t)

    tablas: list[tuple[str, list[str], Callable[[], Iterator[tuple]]]] = [
        ("Institucion", ["id", "nombre", "tipo", "createdAt", "updatedAt"],
         lambda: ((i, n, "ESCUELA", t, t) for i, n in instituciones)),
        ("Usuario", ["id", "email", "nombre", "apellido", "rol", "password", "createdAt", "updatedAt"], usuarios),
        ("Perfil", ["id", "usuarioId", "matricula", "createdAt", "updatedAt"], perfiles),
        ("Grupo", ["id", "nombre", "institucionId", "educadorId", "createdAt", "updatedAt"],
         lambda: ((g, n, i, e, t, t) for g, n, i, e in grupos)),
        ("GrupoEstudiante", ["grupoId", "estudianteId", "inscritoEn"], lambda: ((g, u, t) for u, _e, g in alumnos)),
        ("Calificacion",
         ["id", "grupoId", "estudianteId", "materia", "periodo", "nota", "notaMaxima", "createdAt", "updatedAt"],
         notas),
    ]
    with transaccion(url) as s:
        con = s.connection()
        if con.dialect.name == "postgresql":
            raw = con.connection.driver_connection
            with raw.cursor() as cur:
                for tabla, columnas, filas in tablas:
                    cols = ", ".join(f'"{c}"' for c in columnas)
                    with cur.copy(f'COPY "{tabla}" ({cols}) FROM STDIN') as copia:
                        for fila in filas():
                            copia.write_row(fila)
        else:
            raw = con.connection.driver_connection
            for tabla, columnas, filas in tablas:
                cols = ", ".join(f'"{c}"' for c in columnas)
                marcas = ", ".join("?" for _ in columnas)
                raw.executemany(
                    f'INSERT INTO "{tabla}" ({cols}) VALUES ({marcas})',
                    ((tuple(v.isoformat(sep=" ") if hasattr(v, "isoformat") else v for v in f)) for f in filas()),
                )
    with crear_motor(url).connect() as c:
        c.exec_driver_sql("ANALYZE")
        c.commit()
    medio = grupos[len(grupos) // 2]
    return {
        "grupo": medio[1],
        "grupo_id": medio[0],
        "alumnos": [e for _u, e, g in alumnos if g == medio[0]],
        "grupos": n_grupos,
        "instituciones": n_inst,
        "calificaciones": estudiantes * len(MATERIAS) * len(PERIODOS),
    }


# --- Medidas --------------------------------------------------------------------------------------
def mediana(fn: Callable[[], Any], veces: int) -> tuple[float, Any]:
    fn()  # calentar (cachés de la base y de SQLAlchemy)
    tiempos, resultado = [], None
    for _ in range(veces):
        t0 = time.perf_counter()
        resultado = fn()
        tiempos.append(time.perf_counter() - t0)
    return statistics.median(tiempos), resultado


def escribir_csv(ruta: Path, emails: list[str], azar: random.Random) -> Path:
    lineas = ["email;nota;observaciones"]
    for e in emails:
        lineas.append(f"{e};{str(round(azar.uniform(1, 10) * 2) / 2).replace('.', ',')};")
    ruta.write_text("\n".join(lineas) + "\n", encoding="utf-8")
    return ruta


def linea_de_base(url: str, fn: Callable[[], Any], marca: str) -> Callable[[], Any]:
    """Captura las sentencias que ``fn`` envía a la base y devuelve una función que repite
    la de agregación (la que contiene ``marca``) con el cursor crudo del driver, precedida
    de los ``SET`` de sesión que haya enviado amauta (mismo plan)."""
    from sqlalchemy import event

    capturadas: list[tuple[str, Any]] = []

    def escuchar(_con, _cur, sentencia, parametros, _ctx, _many):
        capturadas.append((sentencia, parametros))

    motor = crear_motor(url)
    event.listen(motor, "before_cursor_execute", escuchar)
    try:
        fn()
    finally:
        event.remove(motor, "before_cursor_execute", escuchar)
    ajustes = [c for c in capturadas if c[0].lstrip().upper().startswith("SET ")]
    sentencia, parametros = next(c for c in capturadas if marca in c[0])

    def cruda():
        with transaccion(url, solo_lectura=True) as s:
            cur = s.connection().connection.driver_connection.cursor()
            for sql, p in ajustes:
                cur.execute(sql, p)
            cur.execute(sentencia, parametros)
            filas = cur.fetchall()
            cur.close()
            return filas

    return cruda


def medir(url: str, datos: dict[str, Any], veces: int, carpeta: Path) -> list[tuple[str, float, float | None, str]]:
    from sqlalchemy import text

    azar = random.Random(7)
    grupo, emails = datos["grupo"], datos["alumnos"]
    r = cal.Reglas()
    resultados = []

    # cargar: crear (un período nuevo cada vez), actualizar (notas nuevas), sin cambios (la misma planilla).
    # "Parcial N" no es un trimestre: la escuela del benchmark acepta períodos libres.
    ajustes = carpeta / "ajustes.yaml"
    ajustes.write_text("calendario:\n  periodos_libres: true\n", encoding="utf-8")
    os.environ["AMAUTA_AJUSTES"] = str(ajustes)
    contador = iter(range(10_000))

    def cargar_nuevo():
        ruta = escribir_csv(carpeta / "nuevo.csv", emails, azar)
        with transaccion(url) as s:
            return cal.cargar(s, grupo, "Matemáticas", f"Parcial {next(contador)}", ruta)

    def cargar_actualiza():
        ruta = escribir_csv(carpeta / "cambia.csv", emails, azar)
        with transaccion(url) as s:
            return cal.cargar(s, grupo, "Matemáticas", "1er Trimestre", ruta)

    fija = escribir_csv(carpeta / "fija.csv", emails, azar)

    def cargar_igual():
        with transaccion(url) as s:
            return cal.cargar(s, grupo, "Lengua", "1er Trimestre", fija)

    # Línea de base: el mismo upsert de 30 filas con el driver, sin validar ni leer CSV.
    def upsert_crudo():
        t = ahora()
        filas = [
            {"id": cuid(), "g": datos["grupo_id"], "e": e, "n": float(azar.randint(1, 10)), "t": t}
            for e in alumnos_ids
        ]
        with transaccion(url) as s:
            s.execute(
                text(
                    'INSERT INTO "Calificacion" (id, "grupoId", "estudianteId", materia, periodo, nota, '
                    '"notaMaxima", "createdAt", "updatedAt") VALUES '
                    + ", ".join(f"(:id{i}, :g{i}, :e{i}, 'Matemáticas', '1er Trimestre', :n{i}, 10, :t{i}, :t{i})" for i in range(len(filas)))
                    + ' ON CONFLICT ("grupoId", "estudianteId", materia, periodo) DO UPDATE SET '
                    'nota = excluded.nota, "notaMaxima" = excluded."notaMaxima", "updatedAt" = excluded."updatedAt"'
                ),
                {f"{k}{i}": v for i, f in enumerate(filas) for k, v in f.items()},
            )

    with transaccion(url, solo_lectura=True) as s:
        alumnos_ids = list(
            s.scalars(text('SELECT "estudianteId" FROM "GrupoEstudiante" WHERE "grupoId" = :g'), {"g": datos["grupo_id"]})
        )
    base_carga, _ = mediana(upsert_crudo, veces)
    t, res = mediana(cargar_nuevo, veces)
    resultados.append((f"cargar: planilla de {len(emails)} notas, todas nuevas", t, base_carga, f"{res.creadas} creadas"))
    t, res = mediana(cargar_actualiza, veces)
    resultados.append((f"cargar: planilla de {len(emails)} notas, cambiadas", t, base_carga, f"{res.actualizadas} actualizadas"))
    cargar_igual()
    t, res = mediana(cargar_igual, veces)
    resultados.append((f"cargar: planilla de {len(emails)} notas, sin cambios", t, base_carga, f"{res.sin_cambios} sin cambios"))

    # reporte y boletín de un grupo, y desaprobados del distrito. Línea de base: la MISMA
    # sentencia de agregación que amauta envía (capturada), ejecutada con el cursor del
    # driver y fetchall, en una transacción de lectura con los mismos ajustes de sesión.
    def reporte():
        with transaccion(url, solo_lectura=True) as s:
            return cal.reporte(s, grupo, r=r)

    def boletines():
        with transaccion(url, solo_lectura=True) as s:
            return cal.boletines(s, grupo=grupo, r=r)

    def desaprobados():
        with transaccion(url, solo_lectura=True) as s:
            return cal.desaprobados(s, r=r)

    crudo_grupo = linea_de_base(url, reporte, "GROUP BY")
    t, rep = mediana(reporte, veces)
    base_grupo, _ = mediana(crudo_grupo, veces)
    resultados.append((f"reporte --grupo '{grupo}' ({len(rep.materias)} materias)", t, base_grupo, ""))
    t, bol = mediana(boletines, veces)
    resultados.append((f"boletin --grupo '{grupo}' ({len(bol)} boletines)", t, base_grupo, ""))

    crudo_distrito = linea_de_base(url, desaprobados, "HAVING")
    t, d = mediana(desaprobados, veces)
    base_distrito, _ = mediana(crudo_distrito, veces)
    resultados.append(
        (f"desaprobados del distrito ({datos['calificaciones']:,} notas)".replace(",", "."), t, base_distrito,
         f"{len(d.filas)} materias desaprobadas de {d.estudiantes} estudiantes")
    )
    return resultados


def cli_de_punta_a_punta(url: str, grupo: str, carpeta: Path) -> list[tuple[str, float]]:
    """Tiempo de pared del comando instalado (arranque de Python incluido), una corrida."""
    amauta = Path(sys.executable).with_name("amauta")
    comandos = [
        ("amauta calificaciones reporte --grupo G --formato csv", ["calificaciones", "reporte", "--grupo", grupo, "-f", "csv"]),
        ("amauta calificaciones boletin --grupo G --html CARPETA",
         ["calificaciones", "boletin", "--grupo", grupo, "--html", str(carpeta / "boletines")]),
        ("amauta calificaciones desaprobados --formato csv (distrito)", ["calificaciones", "desaprobados", "-f", "csv"]),
    ]
    resultado = []
    for titulo, args in comandos:
        t0 = time.perf_counter()
        p = subprocess.run([str(amauta), "--db-url", url, *args], capture_output=True, text=True)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(f"{titulo} falló:\n{p.stderr}")
        resultado.append((titulo, dt))
    return resultado


OBJETIVO_TABLA_CSV = 1.3


def tabla_contra_csv(url: str, pares: int = 5) -> None:
    """``desaprobados`` del distrito: tabla (lo que ve quien lo corre en una terminal de 100
    columnas) contra ``--formato csv``, procesos enteros intercalados, en la misma corrida."""
    from comun import Comando, amauta, comparar, imprimir

    base = [*amauta(), "--db-url", url, "calificaciones", "desaprobados"]
    entorno = {"COLUMNS": "100"}
    r = comparar(
        "desaprobados: tabla / csv",
        Comando(base, env=entorno),
        Comando([*base, "--formato", "csv"], env=entorno),
        pares=pares,
        base="--formato csv",
    )
    imprimir([r], objetivo=OBJETIVO_TABLA_CSV)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--motor", choices=["postgresql", "sqlite", "ambos"], default="ambos")
    ap.add_argument("--estudiantes", type=int, default=20_000)
    ap.add_argument("--por-grupo", type=int, default=30)
    ap.add_argument("--veces", type=int, default=5, help="corridas por medida (se informa la mediana)")
    ap.add_argument("--pg-url", default=os.environ.get("AMAUTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--conservar", action="store_true", help="no borrar las bases al terminar")
    ap.add_argument("--url", help="una base ya llena por este benchmark (con --conservar): no se genera nada")
    ap.add_argument("--solo-tabla", action="store_true", help="solo desaprobados en tabla contra csv")
    args = ap.parse_args()
    if args.url:
        if not args.solo_tabla:
            ap.error("--url va con --solo-tabla")
        print(f"== {args.url} (carga del sistema: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
        tabla_contra_csv(args.url, pares=args.veces)
        return
    motores = ["postgresql", "sqlite"] if args.motor == "ambos" else [args.motor]
    n = args.estudiantes * len(MATERIAS) * len(PERIODOS)
    print(
        f"Distrito: {args.estudiantes} estudiantes, grupos de {args.por_grupo}, {len(MATERIAS)} materias, "
        f"{len(PERIODOS)} períodos = {n} calificaciones. Mediana de {args.veces} corridas.\n"
    )
    for motor in motores:
        print(f"== {motor} (carga del sistema: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} núcleos)")
        with base(motor, args.pg_url, args.conservar) as url, tempfile.TemporaryDirectory() as tmp:
            migrar(url)
            t0 = time.perf_counter()
            datos = generar(url, args.estudiantes, args.por_grupo, semilla=42)
            carga = time.perf_counter() - t0
            velocidad = f"{datos['calificaciones'] / carga:,.0f}".replace(",", ".")
            print(
                f"  generación ({'COPY' if motor == 'postgresql' else 'executemany'}): {carga:.1f} s "
                f"({velocidad} notas/s), {datos['grupos']} grupos en {datos['instituciones']} instituciones"
            )
            if not args.solo_tabla:
                filas = medir(url, datos, args.veces, Path(tmp))
                ancho = max(len(f[0]) for f in filas)
                print(f"  {'medida'.ljust(ancho)}   amauta   base cruda   razón   objetivo")
                for titulo, t, crudo, nota in filas:
                    objetivo = ""
                    if motor == "postgresql":
                        objetivo = "OK (< 1 s)" if t < OBJETIVO_PG else "NO CUMPLE (>= 1 s)"
                    razon = f"{t / crudo:5.1f}x" if crudo else "     "
                    print(f"  {titulo.ljust(ancho)}  {t * 1000:6.1f} ms  {crudo * 1000:7.1f} ms  {razon}  {objetivo}  {nota}")
            cerrar_motores()
            if not args.solo_tabla:
                for titulo, dt in cli_de_punta_a_punta(url, datos["grupo"], Path(tmp)):
                    print(f"  {titulo}: {dt:.2f} s de pared (con el arranque de Python)")
            tabla_contra_csv(url, pares=args.veces)
        print()


if __name__ == "__main__":
    main()
