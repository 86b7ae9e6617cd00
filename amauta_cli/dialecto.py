"""El único hogar de las diferencias entre motores: una clase por motor, elegida por nombre.

Como Alembic (``ddl/postgresql.py``, ``ddl/sqlite.py``), cada pieza que cambia entre
PostgreSQL y SQLite es un método de ``Dialecto`` con una implementación por motor:

    from amauta_cli.dialecto import dialecto
    d = dialecto(sesion)            # Session, Connection o Engine
    d.bloqueo(con, "asistencia", grupo_id, dia.isoformat())
    s.execute(d.insertar(Tabla).values(...).on_conflict_do_update(...))
    select(...).order_by(d.orden_es(Usuario.apellido), d.orden_es(Usuario.nombre))

Los servicios y la CLI nunca preguntan ``dialect.name``: piden la pieza aquí.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable, Sequence

from sqlalchemy import Text, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from amauta_cli.textos import CON_ACENTO, SIN_ACENTO

#: Nombre de la colación española de PostgreSQL (ICU) y de la que ``db.py`` registra en SQLite.
COLACION_PG = "es-x-icu"
COLACION_SQLITE = "es"


class sin_acentos_sql(FunctionElement):
    """``sin_acentos_sql(col)``: minúsculas y sin acentos, en SQL, en ambos motores, con la tabla
    de ``textos`` (la misma que usa Python).

    PostgreSQL: ``lower(translate(normalize(col, NFC), 'áé...', 'ae...'))`` (sin extensiones, que
    cambiarían el esquema de Prisma). SQLite: la función ``amauta_sin_acentos`` que
    ``db.crear_motor`` registra en cada conexión (``textos.sin_acentos``).
    """

    type = Text()
    inherit_cache = True
    name = "sin_acentos_sql"


@compiles(sin_acentos_sql)
def _sin_acentos_generico(el: Any, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(el.clauses, **kw)
    return f"lower(translate(normalize({arg}, NFC), '{CON_ACENTO}', '{SIN_ACENTO}'))"


@compiles(sin_acentos_sql, "sqlite")
def _sin_acentos_sqlite(el: Any, compiler: Any, **kw: Any) -> str:
    return f"amauta_sin_acentos({compiler.process(el.clauses, **kw)})"


class Dialecto:
    """Las piezas comunes; cada motor redefine las suyas."""

    nombre: ClassVar[str] = ""
    #: ¿Hay un servidor con roles, RLS, COPY, pg_dump...?
    es_servidor: ClassVar[bool] = False

    # --- SQL -------------------------------------------------------------------------------
    def insertar(self, tabla: Any) -> Any:
        """``INSERT`` con ``on_conflict_do_update``/``on_conflict_do_nothing`` del motor."""
        raise NotImplementedError

    def sin_acentos(self, col: Any) -> Any:
        """Expresión: ``col`` en minúsculas y sin acentos (búsquedas tolerantes)."""
        return sin_acentos_sql(col)

    def orden_es(self, col: Any) -> Any:
        """Expresión para ``ORDER BY`` en orden alfabético español (Álvarez antes que Benítez,
        ñ después de n, texto en NFD incluido)."""
        raise NotImplementedError

    # --- Ajustes de la transacción ---------------------------------------------------------------
    def memoria_de_trabajo(self, con: Any, valor: str) -> None:
        """Memoria para ordenar y cruzar en esta transacción (p. ej. ``'256MB'``), y solo en
        ella: ``SET LOCAL`` (con PgBouncer en modo transacción, un ``SET`` de sesión pasaría a
        la transacción de otro cliente). Un reporte del distrito agrupa millones de filas: con
        la memoria por defecto del servidor la ordenación se derrama a disco."""

    def sin_paralelismo(self, con: Any) -> None:
        """Consultas de esta transacción sin trabajadores paralelos."""

    # --- Tablas temporales y carga masiva ------------------------------------------------------
    def temporal(self, nombre: str) -> str:
        """El nombre con que se usa la tabla temporal ``nombre`` en SQL."""
        return nombre

    def crear_temporal(self, con: Any, nombre: str, columnas: str | None = None, como: str | None = None) -> str:
        """Crea la tabla temporal ``nombre`` (con ``columnas`` o ``AS como``), que desaparece al
        terminar la transacción (o con ``soltar_temporales``). Devuelve su nombre para SQL."""
        raise NotImplementedError

    def soltar_temporales(self, con: Any, *nombres: str) -> None:
        """Borra las tablas temporales de la transacción (donde no se borran solas)."""

    def cargar_temporal(self, con: Any, nombre: str, columnas: Sequence[str], filas: Iterable[tuple]) -> None:
        """Carga filas (texto, números o None) en una tabla temporal, lo más rápido posible
        (``COPY`` en PostgreSQL, ``executemany`` por lotes en SQLite): una carga de decenas de
        miles de filas termina así en UN ``INSERT ... SELECT`` del lado del motor."""
        raise NotImplementedError

    # --- Búsqueda de cursos (migración 0004) ---------------------------------------------------
    def busqueda_cursos(self, texto: str) -> Any:
        """Subconsulta ``(curso_id, rango)`` de los cursos cuyo texto (título, descripción,
        lecciones) tiene todas las palabras de ``texto``, sin acentos y por su raíz; a mayor
        ``rango``, mejor. Usa el índice de búsqueda de cada motor."""
        raise NotImplementedError

    def reindexar_busqueda(self, con: Any) -> None:
        """Recalcula el índice de búsqueda de todos los cursos (set-based)."""
        raise NotImplementedError

    def plan_busqueda(self, con: Any, texto: str) -> list[str]:
        """El plan de la consulta de búsqueda (para el benchmark: ¿usa el índice?)."""
        raise NotImplementedError

    # --- Concurrencia ----------------------------------------------------------------------
    def bloqueo(self, con: Any, *claves: Any) -> None:
        """Bloqueo de la transacción en curso sobre ``claves`` (se libera al terminarla).

        Con varias llamadas, tómense siempre en el mismo orden (p. ej. ``sorted``) para que
        dos procesos no se esperen en círculo.
        """
        raise NotImplementedError


class PostgreSQL(Dialecto):
    nombre = "postgresql"
    es_servidor = True

    def insertar(self, tabla: Any) -> Any:
        from sqlalchemy.dialects.postgresql import insert

        return insert(tabla)

    def orden_es(self, col: Any) -> Any:
        return func.normalize(col, _NFC).collate(COLACION_PG)  # SQLAlchemy ya lo cita

    _BUSQUEDA = (
        'SELECT b."cursoId" AS curso_id, ts_rank(b."documento", q) AS rango '
        'FROM "_amauta_busqueda_curso" b, plainto_tsquery(\'spanish\', amauta_sin_acentos(:texto)) q '
        'WHERE b."documento" @@ q'
    )

    def busqueda_cursos(self, texto: str) -> Any:
        from sqlalchemy import Float, text

        return (
            text(self._BUSQUEDA)
            .bindparams(texto=texto)
            .columns(curso_id=Text(), rango=Float())
            .subquery("busqueda")
        )

    def reindexar_busqueda(self, con: Any) -> None:
        from sqlalchemy import text

        con.execute(text('SELECT amauta_busqueda_actualizar(ARRAY(SELECT "id" FROM "Curso"))'))
        con.execute(
            text(
                'DELETE FROM "_amauta_busqueda_curso" b '
                'WHERE NOT EXISTS (SELECT 1 FROM "Curso" c WHERE c."id" = b."cursoId")'
            )
        )

    def plan_busqueda(self, con: Any, texto: str) -> list[str]:
        from sqlalchemy import text

        filas = con.execute(
            text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {self._BUSQUEDA}"), {"texto": texto}
        ).all()
        return [f[0] for f in filas]

    def memoria_de_trabajo(self, con: Any, valor: str) -> None:
        import re

        if not re.fullmatch(r"\d+\s*[kMG]?B", valor):  # pragma: no cover - constante del código
            raise ValueError(valor)
        con.exec_driver_sql(f"SET LOCAL work_mem = '{valor}'")

    def sin_paralelismo(self, con: Any) -> None:
        con.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")

    def crear_temporal(self, con: Any, nombre: str, columnas: str | None = None, como: str | None = None) -> str:
        if como is not None:
            con.exec_driver_sql(f"CREATE TEMP TABLE {nombre} ON COMMIT DROP AS {como}")
        else:
            con.exec_driver_sql(f"CREATE TEMP TABLE {nombre} ({columnas}) ON COMMIT DROP")
        return nombre

    def cargar_temporal(self, con: Any, nombre: str, columnas: Sequence[str], filas: Iterable[tuple]) -> None:
        # COPY en formato texto, armado en bloques: más barato que write_row fila por fila.
        crudo = _conexion_driver(con)
        escapar = _texto_copy
        with crudo.cursor() as cur:
            with cur.copy(f"COPY {nombre} ({', '.join(columnas)}) FROM STDIN") as copia:
                bloque: list[str] = []
                agregar = bloque.append
                for fila in filas:
                    agregar("\t".join(escapar(v) for v in fila) + "\n")
                    if len(bloque) >= 5000:
                        copia.write("".join(bloque))
                        bloque.clear()
                if bloque:
                    copia.write("".join(bloque))
        con.exec_driver_sql(f"ANALYZE {nombre}")

    def bloqueo(self, con: Any, *claves: Any) -> None:
        from sqlalchemy import text

        clave = "|".join(str(c) for c in claves)
        # Bloqueo consultivo de transacción (no de sesión: compatible con PgBouncer en modo
        # transacción), sobre el hash de 64 bits de la clave.
        con.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": clave})


class SQLite(Dialecto):
    nombre = "sqlite"

    def insertar(self, tabla: Any) -> Any:
        from sqlalchemy.dialects.sqlite import insert

        return insert(tabla)

    def orden_es(self, col: Any) -> Any:
        return col.collate(COLACION_SQLITE)

    _BUSQUEDA = (
        'SELECT m."cursoId" AS curso_id, -bm25("_amauta_busqueda_fts", 10.0, 4.0, 2.0) AS rango '
        'FROM "_amauta_busqueda_fts" JOIN "_amauta_busqueda_curso" m '
        'ON m."n" = "_amauta_busqueda_fts".rowid WHERE "_amauta_busqueda_fts" MATCH :consulta '
        # LIMIT -1 (sin límite) impide que SQLite aplane la subconsulta en el JOIN con "Curso":
        # aplanada, recorría los cursos por estado y consultaba FTS5 una vez por curso (50×
        # más lento); así recorre solo las coincidencias del índice, una vez.
        "LIMIT -1"
    )

    def busqueda_cursos(self, texto: str) -> Any:
        from sqlalchemy import Float, text

        from amauta_cli.busqueda import consulta_fts5

        # Sin palabras con contenido, una consulta que no encuentra nada (como plainto_tsquery).
        consulta = consulta_fts5(texto) or '"\u0000"'
        return (
            text(self._BUSQUEDA)
            .bindparams(consulta=consulta)
            .columns(curso_id=Text(), rango=Float())
            .subquery("busqueda")
        )

    #: La misma carga completa que hace la migración 0004 (una sentencia por paso).
    _RECARGA = (
        'DELETE FROM "_amauta_busqueda_fts"',
        'DELETE FROM "_amauta_busqueda_curso"',
        'INSERT INTO "_amauta_busqueda_curso" ("cursoId") '
        'SELECT "id" FROM "Curso" ORDER BY "createdAt", "id"',
        'INSERT INTO "_amauta_busqueda_fts" (rowid, titulo, descripcion, lecciones) '
        'SELECT b."n", amauta_lexemas(c."titulo"), amauta_lexemas(c."descripcion"), '
        "(SELECT amauta_lexemas(group_concat(l.\"titulo\" || ' ' || coalesce(l.\"descripcion\", ''), ' ')) "
        'FROM "Leccion" l WHERE l."cursoId" = c."id") '
        'FROM "_amauta_busqueda_curso" b JOIN "Curso" c ON c."id" = b."cursoId"',
    )

    def reindexar_busqueda(self, con: Any) -> None:
        for sql in self._RECARGA:
            con.exec_driver_sql(sql)

    def plan_busqueda(self, con: Any, texto: str) -> list[str]:
        from sqlalchemy import text

        from amauta_cli.busqueda import consulta_fts5

        filas = con.execute(
            text(f"EXPLAIN QUERY PLAN {self._BUSQUEDA}"), {"consulta": consulta_fts5(texto) or ""}
        ).all()
        return [str(f[-1]) for f in filas]

    def temporal(self, nombre: str) -> str:
        return f"temp.{nombre}"

    def crear_temporal(self, con: Any, nombre: str, columnas: str | None = None, como: str | None = None) -> str:
        # SQLite no tiene ON COMMIT DROP: la de una corrida anterior interrumpida se borra antes.
        con.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{nombre}")
        if como is not None:
            con.exec_driver_sql(f"CREATE TEMP TABLE {nombre} AS {como}")
        else:
            con.exec_driver_sql(f"CREATE TEMP TABLE {nombre} ({columnas})")
        return self.temporal(nombre)

    def soltar_temporales(self, con: Any, *nombres: str) -> None:
        for n in nombres:
            con.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{n}")

    def cargar_temporal(self, con: Any, nombre: str, columnas: Sequence[str], filas: Iterable[tuple]) -> None:
        cur = _conexion_driver(con).cursor()
        sql = f"INSERT INTO {self.temporal(nombre)} ({', '.join(columnas)}) VALUES ({', '.join('?' * len(columnas))})"
        lote: list[tuple] = []
        for fila in filas:
            lote.append(fila)
            if len(lote) >= 20_000:
                cur.executemany(sql, lote)
                lote.clear()
        if lote:
            cur.executemany(sql, lote)
        cur.close()

    def bloqueo(self, con: Any, *claves: Any) -> None:
        # ``BEGIN IMMEDIATE`` (ver db.py) ya serializa a los escritores de toda la base.
        return None


class _NFCKeyword(FunctionElement):
    """La palabra ``NFC`` de ``normalize(col, NFC)`` (no es un literal ni una columna)."""

    type = Text()
    inherit_cache = True


@compiles(_NFCKeyword)
def _nfc(el: Any, compiler: Any, **kw: Any) -> str:
    return "NFC"


_NFC = _NFCKeyword()

def _conexion_driver(con: Any) -> Any:
    """La conexión del driver (psycopg / sqlite3) de una ``Connection`` o ``Session``."""
    if hasattr(con, "get_bind"):
        con = con.connection()
    return con.connection.driver_connection


_ESCAPES_COPY = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _texto_copy(valor: Any) -> str:
    """Un valor para ``COPY ... FROM STDIN`` en formato texto (None es ``\\N``)."""
    if valor is None:
        return "\\N"
    if isinstance(valor, str):
        return valor.translate(_ESCAPES_COPY)
    return str(valor)


_DIALECTOS: dict[str, Dialecto] = {"postgresql": PostgreSQL(), "sqlite": SQLite()}


def por_nombre(nombre: str) -> Dialecto:
    try:
        return _DIALECTOS[nombre]
    except KeyError:  # pragma: no cover - db.py ya rechaza otros motores
        raise ValueError(f"motor no soportado: {nombre}") from None


def dialecto(bind: Any) -> Dialecto:
    """El dialecto de una ``Session``, ``Connection`` o ``Engine``."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return por_nombre(bind.dialect.name)
