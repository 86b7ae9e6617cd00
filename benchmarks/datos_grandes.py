"""Genera una base grande y realista para los benchmarks (PostgreSQL, con COPY).

Llena una base ya migrada con instituciones, educadores, estudiantes con perfil,
grupos, inscripciones a grupos, asistencia diaria y calificaciones. La asistencia
lleva casi todas las filas: ``filas`` es el total aproximado buscado.

    from datos_grandes import generar
    generar("postgresql+psycopg://postgres@127.0.0.1/amauta_bench", filas=1_000_000)

Como el cliente de Prisma, pone ``id`` (cuid), ``createdAt`` y ``updatedAt`` en cada fila.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from amauta_cli.ids import ahora, cuid, medianoche

DIAS_DE_CLASE = 60
ESTUDIANTES_POR_GRUPO = 30
MATERIAS = ("Matemática", "Lengua", "Ciencias Naturales", "Ciencias Sociales", "Inglés")
ESTADOS = ("PRESENTE",) * 17 + ("AUSENTE", "TARDANZA", "JUSTIFICADO")


def _dias(n: int) -> list[date]:
    d, dias = date(2024, 3, 4), []
    while len(dias) < n:
        if d.weekday() < 5:
            dias.append(d)
        d += timedelta(days=1)
    return dias


def generar(url: str, filas: int = 1_000_000, semilla: int = 7) -> dict[str, int]:
    """Llena ``url`` (PostgreSQL, migrada, vacía) y devuelve las filas escritas por tabla."""
    import psycopg

    rnd = random.Random(semilla)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    ts = ahora()
    dias = _dias(DIAS_DE_CLASE)
    # Asistencia ≈ estudiantes × días; el resto suma alrededor de un 5 %.
    estudiantes = max(ESTUDIANTES_POR_GRUPO, filas // (DIAS_DE_CLASE + 3))
    grupos = max(1, estudiantes // ESTUDIANTES_POR_GRUPO)
    instituciones = max(1, grupos // 20)
    conteos: dict[str, int] = {}
    with psycopg.connect(dsn) as con, con.cursor() as cur:

        def copiar(tabla: str, columnas: list[str], datos) -> None:
            cols = ", ".join(f'"{c}"' for c in columnas)
            n = 0
            with cur.copy(f'COPY "{tabla}" ({cols}) FROM STDIN') as cp:
                for fila in datos:
                    cp.write_row(fila)
                    n += 1
            conteos[tabla] = n

        inst_ids = [cuid() for _ in range(instituciones)]
        copiar(
            "Institucion",
            ["id", "nombre", "tipo", "direccion", "activa", "createdAt", "updatedAt"],
            (
                (i, f"Escuela N.º {k + 1} «José de San Martín»", "ESCUELA",
                 None if k % 3 else f"Av. Belgrano {100 + k}", True, ts, ts)
                for k, i in enumerate(inst_ids)
            ),
        )
        edu_ids = [cuid() for _ in range(grupos)]
        est_ids = [cuid() for _ in range(estudiantes)]
        hash_falso = "$2b$10$" + "x" * 53
        copiar(
            "Usuario",
            ["id", "email", "nombre", "apellido", "rol", "password", "activo", "createdAt", "updatedAt"],
            (
                (u, f"{pref}{k}@escuela.edu.ar", nombre, "Núñez Pérez", rol, hash_falso, True, ts, ts)
                for pref, ids, nombre, rol in (
                    ("docente", edu_ids, "María José", "EDUCADOR"),
                    ("alumno", est_ids, "Joaquín", "ESTUDIANTE"),
                )
                for k, u in enumerate(ids)
            ),
        )
        copiar(
            "Perfil",
            ["id", "usuarioId", "matricula", "grado", "especialidad", "createdAt", "updatedAt"],
            (
                (cuid(), u, f"M-{k:07d}", f"{k % 7 + 1}º", None if k % 2 else ["lectura", "fútbol"], ts, ts)
                for k, u in enumerate(est_ids)
            ),
        )
        grupo_ids = [cuid() for _ in range(grupos)]
        copiar(
            "Grupo",
            ["id", "nombre", "grado", "seccion", "institucionId", "educadorId", "activo", "createdAt", "updatedAt"],
            (
                (g, f"{k % 7 + 1}º Grado {chr(65 + k % 5)} ({k})", f"{k % 7 + 1}º", chr(65 + k % 5),
                 inst_ids[k % instituciones], edu_ids[k], True, ts, ts)
                for k, g in enumerate(grupo_ids)
            ),
        )
        grupo_de = [grupo_ids[min(k // ESTUDIANTES_POR_GRUPO, grupos - 1)] for k in range(estudiantes)]
        copiar(
            "GrupoEstudiante",
            ["grupoId", "estudianteId", "inscritoEn"],
            ((grupo_de[k], u, ts) for k, u in enumerate(est_ids)),
        )
        copiar(
            "Asistencia",
            ["id", "grupoId", "estudianteId", "fecha", "estado", "observaciones", "createdAt", "updatedAt"],
            (
                (cuid(), grupo_de[k], u, medianoche(dia), estado,
                 "Llegó tarde por el colectivo" if estado == "TARDANZA" else None, ts, ts)
                for dia in dias
                for k, u in enumerate(est_ids)
                for estado in (rnd.choice(ESTADOS),)
            ),
        )
        copiar(
            "Calificacion",
            ["id", "grupoId", "estudianteId", "materia", "periodo", "nota", "notaMaxima", "createdAt", "updatedAt"],
            (
                (cuid(), grupo_de[k], u, materia, "1er Trimestre", round(rnd.uniform(1, 10), 1), 10.0, ts, ts)
                for k, u in enumerate(est_ids)
                for materia in MATERIAS[:3]
            ),
        )
        con.commit()
        cur.execute("ANALYZE")
    return conteos
