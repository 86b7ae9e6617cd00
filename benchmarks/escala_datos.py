"""Distritos grandes en PostgreSQL, generados en el servidor (``INSERT ... SELECT`` con
``generate_series``): millones de filas de asistencia en segundos, no en minutos.

Lo usan ``benchmarks/archivo.py`` y ``benchmarks/escala.py``. Cada estudiante está en un grupo
de ``POR_GRUPO``; cada ``GRUPOS_POR_ESCUELA`` grupos forman una escuela; cada estudiante tiene
una fila de asistencia por día hábil pedido (95 % presentes, 2 % ausentes, 2 % tardanzas,
1 % justificadas), ids crecientes en el orden de carga (día por día, como los cuid de la aplicación).

    from escala_datos import BaseDeBanco
    b = BaseDeBanco.nueva("archivo")          # crea y migra amauta_bench_archivo_xxxx
    b.poblar(0, 11_000, dias_habiles(date(2024, 3, 1), 180))
    ...
    b.borrar()
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ADMIN = os.environ.get("AMAUTA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
POR_GRUPO = 25
GRUPOS_POR_ESCUELA = 20


def dias_habiles(desde: date, n: int) -> list[date]:
    d, dias = desde, []
    while len(dias) < n:
        if d.weekday() < 5:
            dias.append(d)
        d += timedelta(days=1)
    return dias


def _admin():
    import psycopg

    return psycopg.connect(ADMIN, autocommit=True)


def url_de(nombre: str) -> str:
    base = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{nombre}"


@dataclass
class BaseDeBanco:
    nombre: str

    @property
    def url(self) -> str:
        return url_de(self.nombre)

    @property
    def dsn(self) -> str:
        return self.url.replace("postgresql+psycopg://", "postgresql://")

    @classmethod
    def nueva(cls, etiqueta: str, plantilla: str | None = None, migrar: bool = True) -> "BaseDeBanco":
        nombre = f"amauta_bench_{etiqueta}_{uuid.uuid4().hex[:6]}"
        with _admin() as c:
            c.execute(
                f'CREATE DATABASE "{nombre}"'
                + (f' TEMPLATE "{plantilla}" STRATEGY FILE_COPY' if plantilla else "")
            )
        b = cls(nombre)
        if migrar and plantilla is None:
            from amauta_cli.db import cerrar_motores
            from amauta_cli.services.esquema import migrar as migrar_

            migrar_(b.url)
            cerrar_motores()
        return b

    def clonar(self, etiqueta: str) -> "BaseDeBanco":
        return BaseDeBanco.nueva(etiqueta, plantilla=self.nombre)

    def borrar(self) -> None:
        from amauta_cli.db import cerrar_motores

        cerrar_motores()
        with _admin() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.nombre}" WITH (FORCE)')

    def sql(self, *sentencias: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as c:
            for s in sentencias:
                c.execute(s)

    def valor(self, consulta: str):
        import psycopg

        with psycopg.connect(self.dsn) as c:
            return c.execute(consulta).fetchone()[0]

    def poblar(self, desde: int, hasta: int, dias: list[date], analizar: bool = True) -> float:
        """Agrega los estudiantes ``desde``..``hasta``-1 (con sus grupos, escuelas y
        educadores) y su asistencia de ``dias``. Devuelve los segundos que tardó."""
        import psycopg

        t0 = time.perf_counter()
        g0, g1 = desde // POR_GRUPO, (hasta + POR_GRUPO - 1) // POR_GRUPO
        e0, e1 = g0 // GRUPOS_POR_ESCUELA, (g1 + GRUPOS_POR_ESCUELA - 1) // GRUPOS_POR_ESCUELA
        ts = "timestamp '2024-02-01 12:00:00'"
        lista_dias = ",".join(f"date '{d.isoformat()}'" for d in dias)
        with psycopg.connect(self.dsn) as c:
            c.execute("SET LOCAL synchronous_commit = off")
            c.execute(
                f"""INSERT INTO "Institucion" (id, nombre, tipo, activa, "createdAt", "updatedAt")
                SELECT 'i' || lpad(n::text, 6, '0'), 'Escuela N.º ' || n || ' «Juana Azurduy»',
                       'ESCUELA', true, {ts}, {ts}
                FROM generate_series({e0}, {e1 - 1}) n ON CONFLICT DO NOTHING"""
            )
            c.execute(
                f"""INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt")
                SELECT 'd' || lpad(n::text, 7, '0'), 'docente' || n || '@escuela.edu.ar', 'María José',
                       'Núñez', 'EDUCADOR', '!', true, {ts}, {ts}
                FROM generate_series({g0}, {g1 - 1}) n ON CONFLICT DO NOTHING"""
            )
            c.execute(
                f"""INSERT INTO "Grupo" (id, nombre, grado, seccion, "institucionId", "educadorId", activo, "createdAt", "updatedAt")
                SELECT 'g' || lpad(n::text, 7, '0'), (n % 7 + 1) || 'º Grado ' || chr(65 + n % 5) || ' (' || n || ')',
                       (n % 7 + 1) || 'º', chr(65 + n % 5), 'i' || lpad((n / {GRUPOS_POR_ESCUELA})::text, 6, '0'),
                       'd' || lpad(n::text, 7, '0'), true, {ts}, {ts}
                FROM generate_series({g0}, {g1 - 1}) n ON CONFLICT DO NOTHING"""
            )
            c.execute(
                f"""INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, activo, "createdAt", "updatedAt")
                SELECT 'e' || lpad(n::text, 8, '0'), 'alumno' || n || '@escuela.edu.ar', 'Joaquín',
                       'Pérez', 'ESTUDIANTE', '!', true, {ts}, {ts}
                FROM generate_series({desde}, {hasta - 1}) n"""
            )
            c.execute(
                f"""INSERT INTO "GrupoEstudiante" ("grupoId", "estudianteId", "inscritoEn")
                SELECT 'g' || lpad((n / {POR_GRUPO})::text, 7, '0'), 'e' || lpad(n::text, 8, '0'), {ts}
                FROM generate_series({desde}, {hasta - 1}) n"""
            )
            # Día por día (como se registra), con ids crecientes en ese orden.
            base = c.execute("SELECT count(*) FROM \"Asistencia\"").fetchone()[0]
            c.execute(
                f"""INSERT INTO "Asistencia" (id, "grupoId", "estudianteId", fecha, estado, observaciones, "createdAt", "updatedAt")
                SELECT 'c' || lpad(to_hex({base} + row_number() OVER (ORDER BY d.fecha, n)), 12, '0'),
                       'g' || lpad((n / {POR_GRUPO})::text, 7, '0'), 'e' || lpad(n::text, 8, '0'),
                       d.fecha::timestamp(3),
                       (CASE abs(hashtext(n::text || d.fecha::text)) % 100
                            WHEN 0 THEN 'AUSENTE' WHEN 1 THEN 'AUSENTE' WHEN 2 THEN 'TARDANZA'
                            WHEN 3 THEN 'TARDANZA' WHEN 4 THEN 'JUSTIFICADO' ELSE 'PRESENTE' END)::"EstadoAsistencia",
                       NULL, d.fecha::timestamp(3) + interval '9 hours', d.fecha::timestamp(3) + interval '9 hours'
                FROM unnest(ARRAY[{lista_dias}]) AS d(fecha), generate_series({desde}, {hasta - 1}) n
                ORDER BY d.fecha, n"""
            )
            c.commit()
        if analizar:
            self.sql('VACUUM ANALYZE "Asistencia"', 'ANALYZE')
        return time.perf_counter() - t0
