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

from typing import Any, ClassVar

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

    # --- Archivo (db archivar / desarchivar) ---------------------------------------------
    #: Dónde viven las tablas de archivo: un esquema aparte (PostgreSQL) o un prefijo (SQLite).
    ESQUEMA_ARCHIVO: ClassVar[str] = "archivo"
    PREFIJO_ARCHIVO: ClassVar[str] = "_amauta_archivo_"

    def tabla_archivo(self, tabla: Any) -> Any:
        """La ``Table`` de archivo de ``tabla``: mismas columnas y tipos, sin claves foráneas."""
        raise NotImplementedError

    def nombre_archivo(self, tabla: str) -> str:
        """El nombre calificado, para mensajes y SQL a mano (``archivo."Asistencia"``)."""
        raise NotImplementedError

    def crear_archivo(self, con: Any, tabla: str) -> None:
        """DDL: crea la tabla de archivo de ``tabla`` (mismas columnas, clave primaria e índices)."""
        raise NotImplementedError

    def borrar_archivo(self, con: Any) -> None:
        """DDL: borra todas las tablas de archivo (``seed --reset``, bajar la migración 0006)."""
        raise NotImplementedError

    def sql_crear_archivo(self, tabla: str) -> list[str]:
        """El DDL de ``crear_archivo`` como texto, sin conexión (``amauta db migrate --sql``)."""
        raise NotImplementedError

    def transaccion_estable(self, con: Any) -> None:
        """Primera sentencia de una transacción que cuenta, mueve y vuelve a contar: todas las
        lecturas ven la misma instantánea (más lo que la propia transacción escribe)."""
        return None

    def recuperar_espacio(self, url: str, tabla: Any) -> None:
        """Después de mover muchas filas fuera de ``tabla`` (ya confirmado): que las consultas
        no sigan recorriendo las filas muertas. Fuera de toda transacción."""
        return None

    def analizar(self, con: Any, *tablas: Any) -> None:
        """Actualiza las estadísticas del planificador de ``tablas`` tras un cambio masivo (en
        la transacción en curso): después de archivar el 80 % de una tabla, los planes viejos
        serían malos."""
        return None

    def mover(self, con: Any, origen: Any, destino: Any, condicion: Any) -> int:
        """Mueve las filas de ``origen`` que cumplen ``condicion`` a ``destino`` (mismas
        columnas), en la transacción en curso. Devuelve cuántas se movieron."""
        from sqlalchemy import delete, insert, select

        columnas = [c.name for c in origen.columns]
        insertadas = con.execute(
            insert(destino).from_select(columnas, select(*[origen.c[c] for c in columnas]).where(condicion))
        ).rowcount
        borradas = con.execute(delete(origen).where(condicion)).rowcount
        if insertadas != borradas:
            raise RuntimeError(f"se copiaron {insertadas} filas pero se borraron {borradas}")
        return int(borradas)


    # --- Carga masiva (db copiar) ----------------------------------------------------------
    def leer_filas(self, con: Any, tabla: Any, lote: int = 10000) -> Any:
        """Todas las filas de ``tabla`` como tuplas (en el orden de sus columnas), en streaming,
        con los mismos tipos de Python en ambos motores: ``str``, ``int``, ``float``, ``bool``,
        ``datetime``, ``None``, y ``dict``/``list`` para JSON y listas. Sin el costo de las filas
        de SQLAlchemy (en ``db copiar`` se leen millones)."""
        raise NotImplementedError

    def cargar_filas(self, con: Any, tabla: Any, filas: Any, avanzar: Any = None) -> int:
        """Escribe ``filas`` (tuplas con los valores de Python de las columnas de ``tabla``, en
        su orden) en la transacción en curso, por el camino más rápido del motor. Devuelve
        cuántas filas escribió."""
        raise NotImplementedError


def _columnas_de(tabla: Any) -> list[Any]:
    from sqlalchemy import Column

    return [Column(c.name, c.type, key=c.key, primary_key=c.primary_key, nullable=c.nullable) for c in tabla.columns]


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

    def bloqueo(self, con: Any, *claves: Any) -> None:
        from sqlalchemy import text

        clave = "|".join(str(c) for c in claves)
        # Bloqueo consultivo de transacción (no de sesión: compatible con PgBouncer en modo
        # transacción), sobre el hash de 64 bits de la clave.
        con.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": clave})

    def tabla_archivo(self, tabla: Any) -> Any:
        from sqlalchemy import MetaData, Table

        clave = (self.nombre, tabla.name)
        if clave not in _cache_archivo:
            _cache_archivo[clave] = Table(
                tabla.name, MetaData(), *_columnas_de(tabla), schema=self.ESQUEMA_ARCHIVO
            )
        return _cache_archivo[clave]

    def nombre_archivo(self, tabla: str) -> str:
        return f'{self.ESQUEMA_ARCHIVO}."{tabla}"'

    def crear_archivo(self, con: Any, tabla: str) -> None:
        # El esquema "archivo" no lo ve el cliente de Prisma (solo mira el de la URL): el
        # esquema de Prisma queda intacto. LIKE copia columnas, tipos (los enum del esquema
        # de la aplicación), valores por defecto, clave primaria e índices; no las foráneas.
        for sql in self.sql_crear_archivo(tabla):
            con.exec_driver_sql(sql)

    def sql_crear_archivo(self, tabla: str) -> list[str]:
        return [
            f'CREATE SCHEMA IF NOT EXISTS "{self.ESQUEMA_ARCHIVO}"',
            f'CREATE TABLE {self.nombre_archivo(tabla)} (LIKE "{tabla}" INCLUDING DEFAULTS '
            "INCLUDING CONSTRAINTS INCLUDING INDEXES)",
        ]

    def borrar_archivo(self, con: Any) -> None:
        con.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.ESQUEMA_ARCHIVO}" CASCADE')

    def cargar_filas(self, con: Any, tabla: Any, filas: Any, avanzar: Any = None) -> int:
        # COPY ... FROM STDIN (formato texto) por la conexión de psycopg de la transacción.
        from enum import Enum

        from psycopg.types.json import Jsonb
        from sqlalchemy import JSON, Enum as SAEnum
        from sqlalchemy.dialects.postgresql import JSONB

        conversores: list[tuple[int, Any]] = []
        for i, c in enumerate(tabla.columns):
            t = c.type.dialect_impl(con.dialect)
            if isinstance(t, (JSON, JSONB)):
                conversores.append((i, lambda v: None if v is None else Jsonb(v)))
            elif isinstance(t, SAEnum) or isinstance(c.type, SAEnum):
                conversores.append((i, lambda v: v.value if isinstance(v, Enum) else v))
        nombre = ".".join(f'"{p}"' for p in ((tabla.schema,) if tabla.schema else ()) + (tabla.name,))
        columnas = ", ".join(f'"{c.name}"' for c in tabla.columns)
        crudo = con.connection.driver_connection
        n = 0
        with crudo.cursor() as cur, cur.copy(f"COPY {nombre} ({columnas}) FROM STDIN") as copia:
            escribir = copia.write_row
            for fila in filas:
                if conversores:
                    fila = list(fila)
                    for i, f in conversores:
                        fila[i] = f(fila[i])
                escribir(fila)
                n += 1
                if avanzar is not None and n % 10000 == 0:
                    avanzar(10000)
        if avanzar is not None:
            avanzar(n % 10000)
        return n

    def leer_filas(self, con: Any, tabla: Any, lote: int = 10000) -> Any:
        # Un cursor del servidor (con nombre) en la transacción: memoria constante. psycopg ya
        # da datetime, bool, float, dict (jsonb), list (text[]) y str (enums).
        import uuid

        nombre = ".".join(f'"{p}"' for p in ((tabla.schema,) if tabla.schema else ()) + (tabla.name,))
        columnas = ", ".join(f'"{c.name}"' for c in tabla.columns)
        crudo = con.connection.driver_connection
        with crudo.cursor(name=f"amauta_{uuid.uuid4().hex[:12]}") as cur:
            cur.itersize = lote
            cur.execute(f"SELECT {columnas} FROM {nombre}")
            while filas := cur.fetchmany(lote):
                yield from filas

    def recuperar_espacio(self, url: str, tabla: Any) -> None:
        # VACUUM no corre dentro de una transacción: una conexión en autocommit (una sentencia
        # sola, que PgBouncer en modo transacción también acepta). Sin esto, un recorrido de la
        # tabla sigue pasando por las filas archivadas hasta que llegue autovacuum.
        from amauta_cli.db import crear_motor

        nombre = ".".join(f'"{p}"' for p in ((tabla.schema,) if tabla.schema else ()) + (tabla.name,))
        with crear_motor(url).connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            con.exec_driver_sql(f"VACUUM {nombre}")

    def analizar(self, con: Any, *tablas: Any) -> None:
        for t in tablas:
            nombre = ".".join(f'"{p}"' for p in ((t.schema,) if t.schema else ()) + (t.name,))
            con.exec_driver_sql(f"ANALYZE {nombre}")

    def transaccion_estable(self, con: Any) -> None:
        # Dentro de la transacción (compatible con PgBouncer en modo transacción).
        con.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def mover(self, con: Any, origen: Any, destino: Any, condicion: Any) -> int:
        # Una sola sentencia: DELETE ... RETURNING alimenta el INSERT (un solo recorrido, y
        # lo que se borra es exactamente lo que se inserta).
        from sqlalchemy import delete, func, insert, literal_column, select

        columnas = [c.name for c in origen.columns]
        borradas = delete(origen).where(condicion).returning(*[origen.c[c] for c in columnas]).cte("movidas")
        insertadas = (
            insert(destino)
            .from_select(columnas, select(*[borradas.c[c] for c in columnas]))
            .returning(literal_column("1").label("uno"))
            .cte("insertadas")
        )
        # (rowcount de un INSERT con CTE llega como -1 por SQLAlchemy: se cuenta en SQL.)
        return int(con.execute(select(func.count()).select_from(insertadas)).scalar_one())


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

    def bloqueo(self, con: Any, *claves: Any) -> None:
        # ``BEGIN IMMEDIATE`` (ver db.py) ya serializa a los escritores de toda la base.
        return None

    def tabla_archivo(self, tabla: Any) -> Any:
        from sqlalchemy import MetaData, Table

        clave = (self.nombre, tabla.name)
        if clave not in _cache_archivo:
            _cache_archivo[clave] = Table(self.PREFIJO_ARCHIVO + tabla.name, MetaData(), *_columnas_de(tabla))
        return _cache_archivo[clave]

    def nombre_archivo(self, tabla: str) -> str:
        return f'"{self.PREFIJO_ARCHIVO}{tabla}"'

    def crear_archivo(self, con: Any, tabla: str) -> None:
        # Las mismas columnas que la tabla viva, leídas de la base (como LIKE en PostgreSQL).
        def q(x: str) -> str:
            return '"' + x.replace('"', '""') + '"'

        columnas = con.exec_driver_sql(f"PRAGMA table_info({q(tabla)})").all()
        pk = [c[1] for c in sorted(columnas, key=lambda c: c[5]) if c[5]]
        defs = [
            f"{q(c[1])} {c[2]}" + (" NOT NULL" if c[3] else "") + (f" DEFAULT {c[4]}" if c[4] is not None else "")
            for c in columnas
        ]
        defs.append(f"PRIMARY KEY ({', '.join(q(c) for c in pk)})")
        nombre = self.PREFIJO_ARCHIVO + tabla
        con.exec_driver_sql(f"CREATE TABLE {q(nombre)} ({', '.join(defs)})")
        for idx in con.exec_driver_sql(f"PRAGMA index_list({q(tabla)})").all():
            if idx[3] != "c":  # solo los creados con CREATE INDEX (no los de la clave primaria)
                continue
            cols = [c[2] for c in con.exec_driver_sql(f"PRAGMA index_info({q(idx[1])})").all()]
            con.exec_driver_sql(
                f"CREATE {'UNIQUE ' if idx[2] else ''}INDEX {q(self.PREFIJO_ARCHIVO + idx[1])} "
                f"ON {q(nombre)} ({', '.join(q(c) for c in cols)})"
            )

    def sql_crear_archivo(self, tabla: str) -> list[str]:
        """Sin conexión (``db migrate --sql``): desde los modelos."""
        from sqlalchemy.dialects import sqlite
        from sqlalchemy.schema import CreateIndex, CreateTable

        from amauta_cli.models import metadata

        viva = metadata.tables[tabla]
        t = self.tabla_archivo(viva)
        sqls = [str(CreateTable(t).compile(dialect=sqlite.dialect())).strip()]
        for idx in viva.indexes:
            from sqlalchemy import Index

            copia = Index(self.PREFIJO_ARCHIVO + idx.name, *[t.c[c.name] for c in idx.columns], unique=idx.unique)
            sqls.append(str(CreateIndex(copia).compile(dialect=sqlite.dialect())).strip())
            t.indexes.discard(copia)
        return sqls

    def cargar_filas(self, con: Any, tabla: Any, filas: Any, avanzar: Any = None) -> int:
        # Una sentencia preparada con muchas filas (executemany), por lotes.
        from itertools import islice

        from sqlalchemy import insert

        claves = [c.key for c in tabla.columns]
        sentencia = insert(tabla)
        it = iter(filas)
        n = 0
        while lote := list(islice(it, 5000)):
            con.execute(sentencia, [dict(zip(claves, f)) for f in lote])
            n += len(lote)
            if avanzar is not None:
                avanzar(len(lote))
        return n

    def leer_filas(self, con: Any, tabla: Any, lote: int = 10000) -> Any:
        # El cursor de sqlite3 crudo; solo se convierten las columnas que SQLite guarda como texto
        # o entero: fechas (ISO), booleanos (0/1) y JSON.
        import json
        from datetime import datetime

        from sqlalchemy import JSON, Boolean, DateTime

        conversores = []
        for i, c in enumerate(tabla.columns):
            t = c.type.dialect_impl(con.dialect)
            if isinstance(t, DateTime):
                conversores.append((i, datetime.fromisoformat))
            elif isinstance(t, Boolean):
                conversores.append((i, bool))
            elif isinstance(t, JSON):
                conversores.append((i, json.loads))
        columnas = ", ".join(f'"{c.name}"' for c in tabla.columns)
        cur = con.connection.driver_connection.execute(f'SELECT {columnas} FROM "{tabla.name}"')
        try:
            while filas := cur.fetchmany(lote):
                if not conversores:
                    yield from filas
                    continue
                for f in filas:
                    f = list(f)
                    for i, conv in conversores:
                        if f[i] is not None:
                            f[i] = conv(f[i])
                    yield tuple(f)
        finally:
            cur.close()

    def borrar_archivo(self, con: Any) -> None:
        for (nombre,) in con.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_amauta\\_archivo\\_%' ESCAPE '\\'"
        ).all():
            con.exec_driver_sql(f'DROP TABLE "{nombre}"')


class _NFCKeyword(FunctionElement):
    """La palabra ``NFC`` de ``normalize(col, NFC)`` (no es un literal ni una columna)."""

    type = Text()
    inherit_cache = True


@compiles(_NFCKeyword)
def _nfc(el: Any, compiler: Any, **kw: Any) -> str:
    return "NFC"


_NFC = _NFCKeyword()

_cache_archivo: dict[tuple[str, str], Any] = {}

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
