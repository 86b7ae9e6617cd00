"""El único hogar de las diferencias entre motores: una clase por motor, elegida por nombre.

Como Alembic (``ddl/postgresql.py``, ``ddl/sqlite.py``), cada pieza que cambia entre
PostgreSQL y SQLite es un método de ``Dialecto`` con una implementación por motor:

    from amauta_cli.dialecto import dialecto
    d = dialecto(sesion)            # Session, Connection o Engine
    d.bloqueo(con, "asistencia", grupo_id, dia.isoformat())   # con: sesión, conexión o db.Cruda
    s.execute(d.insertar(Tabla).values(...).on_conflict_do_update(...))
    select(...).order_by(d.orden_es(Usuario.apellido), d.orden_es(Usuario.nombre))

Los servicios y la CLI nunca preguntan ``dialect.name``: piden la pieza aquí.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Collection, Iterable, Iterator, Sequence

from amauta_cli.textos import CON_ACENTO, SIN_ACENTO

#: Nombre de la colación española de PostgreSQL (ICU) y de la que ``db.py`` registra en SQLite.
COLACION_PG = "es-x-icu"
COLACION_SQLITE = "es"

#: Este módulo no importa SQLAlchemy al cargarse: los comandos de todos los días (asistencia
#: registrar, ver, usuarios listar...) hablan con el driver directamente (ver ``db.Cruda``) y
#: no pagan su importación. Las construcciones de SQLAlchemy se crean al primer uso.
_SA: dict[str, Any] = {}


def _construcciones() -> dict[str, Any]:
    if _SA:
        return _SA
    from sqlalchemy import Text
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql.functions import FunctionElement

    class SinAcentos(FunctionElement):
        """``sin_acentos_sql(col)``: minúsculas y sin acentos, en SQL, en ambos motores, con la
        tabla de ``textos`` (la misma que usa Python).

        PostgreSQL: ``lower(translate(normalize(col, NFC), 'áé...', 'ae...'))`` (sin extensiones,
        que cambiarían el esquema de Prisma). SQLite: la función ``amauta_sin_acentos`` que
        ``db`` registra en cada conexión (``textos.sin_acentos``).
        """

        type = Text()
        inherit_cache = True
        name = "sin_acentos_sql"

    @compiles(SinAcentos)
    def _sin_acentos_generico(el: Any, compiler: Any, **kw: Any) -> str:
        arg = compiler.process(el.clauses, **kw)
        return f"lower(translate(normalize({arg}, NFC), '{CON_ACENTO}', '{SIN_ACENTO}'))"

    @compiles(SinAcentos, "sqlite")
    def _sin_acentos_sqlite(el: Any, compiler: Any, **kw: Any) -> str:
        return f"amauta_sin_acentos({compiler.process(el.clauses, **kw)})"

    class PalabraNFC(FunctionElement):
        """La palabra ``NFC`` de ``normalize(col, NFC)`` (no es un literal ni una columna)."""

        type = Text()
        inherit_cache = True

    @compiles(PalabraNFC)
    def _nfc(el: Any, compiler: Any, **kw: Any) -> str:
        return "NFC"

    _SA.update(SinAcentos=SinAcentos, NFC=PalabraNFC())
    return _SA


def sin_acentos_sql(col: Any) -> Any:
    """Expresión SQLAlchemy: ``col`` en minúsculas y sin acentos, igual en ambos motores."""
    return _construcciones()["SinAcentos"](col)


class Dialecto:
    """Las piezas comunes; cada motor redefine las suyas."""

    nombre: ClassVar[str] = ""
    #: ¿Hay un servidor con roles, RLS, COPY, pg_dump...?
    es_servidor: ClassVar[bool] = False

    def __init__(self, bind: Any = None) -> None:
        #: La sesión o conexión de la que se pidió (para piezas que consultan al servidor).
        self._bind = bind

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

    def dia(self, col: Any) -> Any:
        """Expresión: el día (UTC) de una columna ``TIMESTAMP``, comparable con ``datetime.date``
        (``dia(Asistencia.fecha).in_(dias_de_clase)``), aunque la hora no sea medianoche."""
        raise NotImplementedError

    def en_lista(self, expr: Any, valores: Sequence[str]) -> Any:
        """``expr IN (valores)`` con UN solo parámetro, sea cual sea la cantidad de valores."""
        raise NotImplementedError

    # --- Búsqueda de cursos (migración 0004) ---------------------------------------------------
    def busqueda_cursos(self, texto: str, solo_publicados: bool = False) -> Any:
        """Subconsulta ``(curso_id, rango)`` de los cursos cuyo texto (título, descripción,
        lecciones) tiene todas las palabras de ``texto``, sin acentos y por su raíz; a mayor
        ``rango``, mejor. Usa el índice de búsqueda de cada motor; ``solo_publicados`` filtra
        con la columna ``publicado`` del índice (migración 0007), sin leer ``Curso``."""
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
        dos procesos no se esperen en círculo. Una sola clave entera se usa tal cual (las
        constantes de ``db migrate`` y ``seed``); cualquier otra cosa, por su hash.
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

    def crear_archivo(self, con: Any, tabla: str, esquema: str | None = None) -> None:
        """DDL: crea la tabla de archivo de ``tabla`` (mismas columnas, clave primaria e índices).
        ``esquema``: otro esquema de archivo que ``ESQUEMA_ARCHIVO`` (PostgreSQL: el esquema
        temporal de referencia de ``catalogo.referencia``, que no debe tocar el archivo real)."""
        raise NotImplementedError

    def borrar_archivo(self, con: Any, esquema: str | None = None) -> None:
        """DDL: borra todas las tablas de archivo (``seed --reset``, bajar la migración 0006)."""
        raise NotImplementedError

    def sql_crear_archivo(self, tabla: str, esquema: str | None = None) -> list[str]:
        """El DDL de ``crear_archivo`` como texto, sin conexión (``amauta db migrate --sql``)."""
        raise NotImplementedError

    #: Opciones de ejecución (SQLAlchemy) de la conexión de una transacción que cuenta, mueve y
    #: vuelve a contar: todas las lecturas ven la misma instantánea (más lo que la propia
    #: transacción escribe). Se fijan en la conexión ANTES de empezar la transacción
    #: (``db.conexion(..., estable=True)``), nunca con un SET dentro de ella. En SQLite una
    #: transacción ya es serializable: nada que fijar.
    opciones_estables: dict[str, Any] = {}

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

    #: ¿``leer_filas_crudas`` da las formas de SQLite (fechas en texto, 0/1, JSON en texto)?
    filas_crudas: ClassVar[bool] = False
    #: ¿``cargar_tablas`` escribe por COPY (bloques de texto ya armados)?
    carga_por_copy: ClassVar[bool] = False

    def leer_filas_crudas(self, con: Any, tabla: Any, lote: int = 10000) -> Any:
        """Como ``leer_filas``, pero sin convertir: lo que da el driver (en SQLite, fechas en
        texto, booleanos 0/1 y JSON en texto). ``db copiar`` las pasa a su forma canónica."""
        return self.leer_filas(con, tabla, lote)

    def cargar_tablas(self, con: Any, trabajos: Any, avanzar: Any = None) -> bool:
        """Escribe, tabla tras tabla, ``trabajos``: pares ``(tabla, bloques)`` con bloques
        ``(texto, filas)`` ya armados para ``COPY ... FROM STDIN`` en formato texto. False si el
        motor no tiene COPY (entonces se usa ``cargar_filas``)."""
        return False

    def suma_de_control(self, con: Any, tabla: Any, sql: str) -> tuple[int, int] | None:
        """(filas, suma) de ``tabla`` calculadas en el servidor con ``sql`` (la consulta de
        ``services.copia.suma_sql``), o None si el motor no puede (se suma en Python)."""
        return None

    def intentar_bloqueo(self, con: Any, *claves: Any) -> bool:
        """Como ``bloqueo`` sin esperar: False si otra transacción lo tiene."""
        raise NotImplementedError

    # --- Ajustes de la transacción ---------------------------------------------------------------
    def commit_sin_esperar_disco(self, con: Any) -> None:
        """El commit de esta transacción no espera el fsync (datos de desarrollo: si el servidor
        se cae justo después, se pierde entera, nunca a medias)."""

    def memoria_de_trabajo(self, con: Any, valor: str) -> None:
        """Memoria para ordenar y cruzar en esta transacción (p. ej. ``'256MB'``)."""

    def sin_paralelismo(self, con: Any) -> None:
        """Consultas de esta transacción sin trabajadores paralelos."""

    def sin_paralelismo_sql(self, c: Any) -> None:
        """``sin_paralelismo`` sobre una ``db.Cruda``."""

    # --- Tablas temporales y carga masiva ------------------------------------------------------
    #: Tipos de columna de las tablas temporales: fecha y hora, y los enum por su nombre.
    tipo_fecha_hora: ClassVar[str] = "TEXT"
    #: Una fecha de calendario, como la da ``date(col)`` en SQL (``AAAA-MM-DD`` en SQLite).
    tipo_fecha: ClassVar[str] = "TEXT"

    def tipo_enum(self, nombre: str) -> str:
        return "TEXT"

    def temporal(self, nombre: str) -> str:
        """El nombre con que se usa la tabla temporal ``nombre`` en SQL."""
        return nombre

    def crear_temporal(self, con: Any, nombre: str, columnas: str | None = None, como: str | None = None) -> str:
        """Crea la tabla temporal ``nombre`` (con ``columnas`` o ``AS como``), que desaparece al
        terminar la transacción (o con ``soltar_temporales``). Devuelve su nombre para SQL."""
        raise NotImplementedError

    def soltar_temporales(self, con: Any, *nombres: str) -> None:
        """Borra las tablas temporales de la transacción (donde no se borran solas)."""

    def fecha_para_carga(self, con: Any, tipo: Any) -> Callable[[Any], Any]:
        """``date`` → el valor que el motor guarda en una columna de fecha (a medianoche)."""
        raise NotImplementedError

    def cargar_temporal(self, con: Any, nombre: str, columnas: Sequence[str], filas: Iterable[tuple]) -> None:
        """Carga filas (texto, enteros o None) en una tabla temporal, lo más rápido posible."""
        raise NotImplementedError

    def insertar_masivo(
        self,
        con: Any,
        tabla: Any,
        filas: list[dict[str, Any]],
        progreso: Callable[[int], None] | None = None,
        lote: int = 1000,
    ) -> None:
        """Inserta ``filas`` (todas con las mismas columnas) en la transacción de ``con``."""
        raise NotImplementedError

    # --- SQL a secas (db.Cruda) -------------------------------------------------------------
    #: El tipo de una columna de lista de textos (``Perfil.especialidad``) en una tabla temporal.
    tipo_lista_texto: ClassVar[str] = "TEXT"

    def lista_para_carga(self, lista: list[str]) -> Any:
        """Una lista de textos como la recibe ``cargar_temporal_sql`` en una columna
        ``tipo_lista_texto`` (y luego la columna destino por ``INSERT ... SELECT``)."""
        raise NotImplementedError

    def filas_por_tramos(self, cur: Any, sql: str, params: dict[str, Any], tramo: int) -> Iterator[tuple]:
        """Las filas de ``sql`` en el cursor del driver ``cur``, de a ``tramo`` (ver ``Cruda.flujo``)."""
        cur.execute(sql, params)
        while lote := cur.fetchmany(tramo):
            yield from lote

    def sin_esperar(self, c: Any) -> Any:
        """Contexto en que las sentencias de ``c`` se envían sin esperar su resultado (el
        servidor trabaja mientras el programa sigue); al salir, se esperan todas y se lanza el
        primer error. PostgreSQL: el modo pipeline de psycopg; SQLite: se ejecutan en el acto."""
        from contextlib import nullcontext

        return nullcontext()

    def crear_temporal_sql(self, c: Any, nombre: str, columnas: str, cruce: Sequence[str] = ()) -> str:
        """``crear_temporal`` sobre una ``db.Cruda``; con ``cruce``, lista para cruzarla por
        igualdad de esas columnas (ver ``preparar_para_cruzar``). Devuelve su nombre para SQL."""
        raise NotImplementedError

    def cargar_temporal_sql(self, c: Any, nombre: str, columnas: Sequence[str], filas: Iterable[Sequence[Any]]) -> None:
        """``cargar_temporal`` sobre una ``db.Cruda``: consume ``filas`` a medida que las envía
        (quien las genera trabaja mientras el servidor guarda las anteriores)."""
        raise NotImplementedError

    def insertar_masivo_sql(
        self,
        c: Any,
        tabla: str,
        filas: list[dict[str, Any]],
        progreso: Callable[[int], None] | None = None,
        lote: int = 1000,
    ) -> None:
        """``insertar_masivo`` sobre una ``db.Cruda`` (la tabla por su nombre): los valores se
        guardan como los guardaría SQLAlchemy (fechas, listas y booleanos de SQLite)."""
        raise NotImplementedError

    def existe_tabla(self, c: Any, nombre: str) -> bool:
        """¿Existe la tabla ``nombre`` en el esquema actual? (``c``: una ``db.Cruda``)."""
        raise NotImplementedError

    def tablas(self, c: Any) -> list[str]:
        """Las tablas del esquema actual, ordenadas."""
        raise NotImplementedError

    def orden_es_sql(self, expr: str) -> str:
        """``expr`` para ``ORDER BY`` en orden alfabético español (como ``orden_es``)."""
        raise NotImplementedError

    def sin_acentos_sql_texto(self, expr: str) -> str:
        """``expr`` en minúsculas y sin acentos (como ``sin_acentos``), en SQL a secas."""
        raise NotImplementedError

    def en_lista_sql(self, expr: str, parametro: str, valores: Sequence[Any]) -> tuple[str, Any]:
        """``expr IN (valores)`` con UN solo parámetro: el fragmento y el valor del parámetro."""
        raise NotImplementedError

    def dias_sql(self, expr: str, parametro: str, dias: Sequence[Any]) -> tuple[str, Any]:
        """``dia(expr) IN (dias)`` en SQL a secas, con UN parámetro (como ``dia`` y
        ``en_lista``): el fragmento y el valor del parámetro."""
        raise NotImplementedError

    def bloqueo_sql(self, c: Any, *claves: Any) -> None:
        """``bloqueo`` sobre una ``db.Cruda``."""

    def bloqueo_compartido_sql(self, c: Any, *claves: Any) -> None:
        """Como ``bloqueo_sql`` pero compartido: varios a la vez, y todos excluyen al exclusivo
        de la misma clave (un registro por día toma el de su grupo compartido; una importación,
        exclusivo)."""

    def fecha_hora_a_bd(self, valor: Any) -> Any:
        """Un ``datetime`` (UTC, sin zona) tal como lo guarda el motor en ``TIMESTAMP(3)``."""
        return valor

    def fecha_hora_de_bd(self, valor: Any) -> Any:
        """Lo que el motor devuelve de un ``TIMESTAMP(3)``, como ``datetime``."""
        return valor

    def booleano(self, valor: Any) -> Any:
        return valor

    # --- Fallas del entorno -------------------------------------------------------------------
    def clasificar_falla(self, orig: BaseException) -> str | None:
        """La clase de falla del entorno (ver ``fallas``) de una excepción del driver, o None
        si no es del entorno (un error de amauta o de los datos)."""
        return None

    # --- Esquema ----------------------------------------------------------------------------
    #: ¿El inspector devuelve el nombre de cada clave foránea?
    nombra_claves_foraneas: ClassVar[bool] = False

    def version_servidor(self, c: Any) -> str:
        """(``c``: una ``db.Cruda``)."""
        raise NotImplementedError

    def borrar_todo(self, con: Any, conservar: Collection[str] = ()) -> list[str]:
        """Borra todas las tablas del esquema (y los tipos propios) dentro de la transacción,
        salvo las tablas ``conservar`` (p. ej. ``_prisma_migrations``): devuelve las que había."""
        raise NotImplementedError

    # --- Tablas temporales para cruzar ------------------------------------------------------------
    def preparar_para_cruzar(self, con: Any, tabla: str, columnas: list[str]) -> None:
        """Deja una tabla temporal lista para cruzarla por igualdad de ``columnas``: PostgreSQL
        la cruza por hash y necesita sus estadísticas; SQLite, un índice (bucle anidado)."""
        raise NotImplementedError

    def problemas_esquema(self, con: Any, insp: Any, existentes: set[str]) -> list[str]:
        """Diferencias propias del motor que Alembic no compara (tipos enum, índices por SQL)."""
        return []

    def indices(self, con: Any) -> set[str]:
        """Los nombres de los índices del esquema."""
        return {
            n for (n,) in con.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name IS NOT NULL"
            )
        }

    def funciones(self, con: Any) -> set[str]:
        """Las funciones SQL propias del esquema (SQLite no guarda funciones en la base)."""
        return set()

    def disparadores(self, con: Any) -> set[tuple[str, str]]:
        """``(tabla, disparador)`` de los disparadores habilitados del esquema."""
        return set(
            tuple(f) for f in con.exec_driver_sql(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
            ).all()
        )

    # --- Permisos --------------------------------------------------------------------------
    def tablas_legibles(self, c: Any, tablas: list[str]) -> list[str]:
        """De ``tablas``, las que el rol conectado puede leer (un rol de escuela no lee todas).
        (``c``: una ``db.Cruda``)."""
        return list(tablas)

    # --- Auditoría (migración 0005) ------------------------------------------------------------
    # Los disparadores de ``_amauta_auditoria`` guardan quién escribió; estas piezas le dan a
    # amauta la forma de anotar además el usuario del sistema operativo de quien la corre.
    def marcar_auditoria(self, dbapi: Any) -> Any:
        """Al empezar una transacción de escritura con el driver: lo que ``sellar_auditoria``
        necesita para reconocer las filas de auditoría que agrega esta transacción."""
        return None

    def sellar_auditoria(self, dbapi: Any, marca: Any) -> None:
        """Antes de confirmar: completa el usuario del sistema en las filas de esta transacción."""

    def anotar_usuario_so(self, engine: Any) -> None:
        """Lo mismo (``marcar``/``sellar``) en las transacciones de un motor de SQLAlchemy."""

    # Movimientos masivos de filas que ya están auditadas (``db archivar``/``desarchivar``) o
    # copias de una base entera con su auditoría (``db copiar``): los disparadores de auditoría
    # de 0005 escribirían una fila por fila movida (millones en un año de asistencia).
    def sin_auditoria_por_fila(self, con: Any, tablas: Sequence[str]) -> Any:
        """Contexto: en la transacción en curso de ``con`` (una ``Connection``), los
        disparadores de auditoría de ``tablas`` no corren; al salir vuelven a estar (también si
        la transacción se deshace: el cambio es parte de ella). Nadie más ve el cambio."""
        raise NotImplementedError

    def auditar_resumen(self, con: Any, tabla: str, operacion: str, detalle: dict[str, Any]) -> None:
        """Una sola fila de auditoría para un movimiento masivo de ``tabla`` (``operacion``:
        ARCHIVAR o DESARCHIVAR; ``detalle``: rango y filas, en ``despues``)."""
        raise NotImplementedError

    def tras_copiar(self, con: Any) -> None:
        """Después de cargar una copia entera (``db copiar``) con la auditoría copiada tal cual:
        lo que los disparadores apagados no hicieron y hace falta para seguir escribiendo."""


def usuario_so() -> str | None:
    """El usuario del sistema operativo (para la auditoría), o None si no se puede saber."""
    import getpass

    try:
        return getpass.getuser() or None
    except Exception:  # noqa: BLE001 - sin variables ni entrada en /etc/passwd
        return None


#: ¿Tiene cada servidor PostgreSQL la colación ICU española? (URL del motor → sí/no), para
#: preguntarlo una sola vez por proceso.
_ICU: dict[str, bool] = {}


def _columnas_de(tabla: Any) -> list[Any]:
    from sqlalchemy import Column

    return [Column(c.name, c.type, key=c.key, primary_key=c.primary_key, nullable=c.nullable) for c in tabla.columns]


def _driver(bind: Any) -> Any:
    """La conexión del driver (psycopg) de una sesión o conexión de SQLAlchemy, o ella misma."""
    if hasattr(bind, "get_bind"):  # Session
        bind = bind.connection()
    sa = getattr(bind, "connection", None)
    if sa is not None and hasattr(sa, "driver_connection"):  # Connection de SQLAlchemy
        return sa.driver_connection
    return bind


class PostgreSQL(Dialecto):
    nombre = "postgresql"
    es_servidor = True

    def _hay_icu(self) -> bool:
        """¿Existe ``es-x-icu`` en el servidor? Se consulta ``pg_collation`` una vez por motor;
        si falta (PostgreSQL compilado sin ICU), se avisa y se usa el orden por defecto."""
        if self._bind is None:
            return True
        driver = _driver(self._bind)
        info = driver.info
        clave = f"{info.host}:{info.port}/{info.dbname}"
        if clave not in _ICU:
            # Una consulta al catálogo por base y proceso, con el driver (como las que hace el
            # dialecto de SQLAlchemy al conectarse: no es trabajo del comando), en la misma
            # transacción.
            cur = driver.execute("SELECT count(*) FROM pg_collation WHERE collname = %s", (COLACION_PG,))
            hay = cur.fetchone()[0]
            _ICU[clave] = bool(hay)
            if not hay:
                from amauta_cli import salida

                salida.aviso(
                    f"el servidor PostgreSQL no tiene la colación ICU «{COLACION_PG}» (fue compilado "
                    "sin ICU): los listados salen en el orden por defecto del servidor, que puede "
                    "no ser el alfabético español (Álvarez, Benítez, ..., Muñoz, Núñez)."
                )
        return _ICU[clave]

    def insertar(self, tabla: Any) -> Any:
        from sqlalchemy.dialects.postgresql import insert

        return insert(tabla)

    def orden_es(self, col: Any) -> Any:
        from sqlalchemy import func

        nfc = func.normalize(col, _construcciones()["NFC"])
        if not self._hay_icu():
            return nfc
        return nfc.collate(COLACION_PG)  # SQLAlchemy ya lo cita

    _BUSQUEDA = (
        # En float8: el corte de página de ``cursos.buscar`` compara rangos por igualdad, y un
        # real (float4) vuelve a Python redondeado por su texto ("0.66871977").
        'SELECT b."cursoId" AS curso_id, ts_rank(b."documento", q)::float8 AS rango '
        'FROM "_amauta_busqueda_curso" b, plainto_tsquery(\'spanish\', amauta_sin_acentos(:texto)) q '
        'WHERE b."documento" @@ q'
    )

    def busqueda_cursos(self, texto: str, solo_publicados: bool = False) -> Any:
        from sqlalchemy import Float, Text, text

        return (
            text(self._BUSQUEDA + (' AND b."publicado"' if solo_publicados else ""))
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
            text(f'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {self._BUSQUEDA} AND b."publicado"'), {"texto": texto}
        ).all()
        return [f[0] for f in filas]

    def dia(self, col: Any) -> Any:
        from sqlalchemy import Date, cast

        return cast(col, Date)

    def en_lista(self, expr: Any, valores: Sequence[str]) -> Any:
        from sqlalchemy import Text, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        return expr == any_(bindparam(None, list(valores), type_=ARRAY(Text)))

    def bloqueo(self, con: Any, *claves: Any) -> None:
        from amauta_cli.db import cruda

        # Bloqueo consultivo de transacción (no de sesión: compatible con PgBouncer en modo
        # transacción), sobre el hash de 64 bits de la clave.
        self.bloqueo_sql(cruda(con), *claves)

    def intentar_bloqueo(self, con: Any, *claves: Any) -> bool:
        from amauta_cli.db import cruda

        return bool(
            self.bloqueo_sql(cruda(con), *claves, _funcion="pg_try_advisory_xact_lock")
        )

    def commit_sin_esperar_disco(self, con: Any) -> None:
        con.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    def memoria_de_trabajo(self, con: Any, valor: str) -> None:
        import re

        if not re.fullmatch(r"\d+\s*[kMG]?B", valor):  # pragma: no cover - constante del código
            raise ValueError(valor)
        con.exec_driver_sql(f"SET LOCAL work_mem = '{valor}'")

    def sin_paralelismo(self, con: Any) -> None:
        con.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")

    def sin_paralelismo_sql(self, c: Any) -> None:
        c.ejecutar("SET LOCAL max_parallel_workers_per_gather = 0")

    tipo_fecha_hora = "timestamp(3)"
    tipo_fecha = "date"

    def tipo_enum(self, nombre: str) -> str:
        return f'"{nombre}"'

    def crear_temporal(self, con: Any, nombre: str, columnas: str | None = None, como: str | None = None) -> str:
        if como is not None:
            con.exec_driver_sql(f"CREATE TEMP TABLE {nombre} ON COMMIT DROP AS {como}")
        else:
            con.exec_driver_sql(f"CREATE TEMP TABLE {nombre} ({columnas}) ON COMMIT DROP")
        return nombre

    def fecha_para_carga(self, con: Any, tipo: Any) -> Callable[[Any], Any]:
        return lambda d: d.isoformat()  # COPY en texto: PostgreSQL la lee como medianoche

    def cargar_temporal(self, con: Any, nombre: str, columnas: Sequence[str], filas: Iterable[tuple]) -> None:
        # ``write_row`` de psycopg (en C con psycopg-binary): medido con 200.000 filas de
        # asistencia, 0,20 s contra 0,72 s de armar el texto del COPY en Python (y 4,8 µs por
        # fila la versión anterior, que escapaba valor por valor).
        from amauta_cli.db import cruda

        self.cargar_temporal_sql(cruda(con), nombre, columnas, filas)
        con.exec_driver_sql(f"ANALYZE {nombre}")

    tipo_lista_texto = "text[]"

    def lista_para_carga(self, lista: list[str]) -> Any:
        return lista or "{}"  # la lista vacía como texto: psycopg no la adapta sin tipo

    def filas_por_tramos(self, cur: Any, sql: str, params: dict[str, Any], tramo: int) -> Iterator[tuple]:
        # stream de psycopg por tramos: el servidor sigue produciendo mientras se leen.
        yield from cur.stream(sql, params, size=tramo)

    def sin_esperar(self, c: Any) -> Any:
        return c.dbapi.pipeline()

    def crear_temporal_sql(self, c: Any, nombre: str, columnas: str, cruce: Sequence[str] = ()) -> str:
        # Sin índice ni ANALYZE: PostgreSQL la cruza por hash, y estima sus filas por su tamaño.
        c.ejecutar(f"CREATE TEMP TABLE {nombre} ({columnas}) ON COMMIT DROP")
        return nombre

    def cargar_temporal_sql(self, c: Any, nombre: str, columnas: Sequence[str], filas: Iterable[Sequence[Any]]) -> None:
        with c.dbapi.cursor() as cur:
            with cur.copy(f"COPY {nombre} ({', '.join(columnas)}) FROM STDIN") as copia:
                escribir = copia.write_row
                for fila in filas:
                    escribir(fila)

    def insertar_masivo(
        self,
        con: Any,
        tabla: Any,
        filas: list[dict[str, Any]],
        progreso: Callable[[int], None] | None = None,
        lote: int = 1000,
    ) -> None:
        # COPY ... FROM STDIN por la conexión de psycopg de la transacción (medido con 10.000
        # usuarios + perfiles: 0,16-0,22 s, contra 0,43 s de executemany): el mismo camino que
        # ``insertar_masivo_sql``, sobre la conexión del driver de ``con``.
        from amauta_cli.db import cruda

        self.insertar_masivo_sql(cruda(con), tabla.name, filas, progreso, lote)

    def insertar_masivo_sql(
        self,
        c: Any,
        tabla: str,
        filas: list[dict[str, Any]],
        progreso: Callable[[int], None] | None = None,
        lote: int = 1000,
    ) -> None:
        if not filas:
            return
        columnas = list(filas[0])
        nombres = ", ".join(f'"{col}"' for col in columnas)
        destino = f'"{tabla}"'
        if c.valor("SELECT row_security_active(:t)", t=destino):
            # PostgreSQL no admite COPY FROM en una tabla con RLS activa para este rol (uno que
            # no es el dueño, p. ej. el de la aplicación web): las filas van por una tabla
            # temporal y un INSERT ... SELECT, que pasa por las políticas como cualquier INSERT.
            destino = f"_amauta_carga_{tabla.lower()}"
            c.ejecutar(f'CREATE TEMP TABLE {destino} (LIKE "{tabla}") ON COMMIT DROP')
        with c.dbapi.cursor() as cur:
            with cur.copy(f"COPY {destino} ({nombres}) FROM STDIN") as copia:
                for i, fila in enumerate(filas, start=1):
                    copia.write_row([fila[col] for col in columnas])
                    if progreso and i % lote == 0:
                        progreso(lote)
        if destino != f'"{tabla}"':
            c.ejecutar(f'INSERT INTO "{tabla}" ({nombres}) SELECT {nombres} FROM {destino}')
            c.ejecutar(f"DROP TABLE {destino}")
        if progreso and len(filas) % lote:
            progreso(len(filas) % lote)

    nombra_claves_foraneas = True

    def version_servidor(self, c: Any) -> str:
        return str(c.valor("SHOW server_version"))

    def borrar_todo(self, con: Any, conservar: Collection[str] = ()) -> list[str]:
        from sqlalchemy import text

        prep = con.dialect.identifier_preparer
        tablas = con.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        ).scalars().all()
        conservadas = [t for t in tablas if t in conservar]
        tablas = [t for t in tablas if t not in conservar]
        if tablas:
            con.execute(text(f"DROP TABLE {', '.join(prep.quote_identifier(t) for t in tablas)} CASCADE"))
        tipos = con.execute(
            text(
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typtype = 'e' ORDER BY 1"
            )
        ).scalars().all()
        if tipos:
            con.execute(text(f"DROP TYPE {', '.join(prep.quote_identifier(t) for t in tipos)} CASCADE"))
        return conservadas

    def preparar_para_cruzar(self, con: Any, tabla: str, columnas: list[str]) -> None:
        con.exec_driver_sql(f'ANALYZE "{tabla}"')

    def existe_tabla(self, c: Any, nombre: str) -> bool:
        return c.valor("SELECT to_regclass(:n) IS NOT NULL", n=f'"{nombre}"') is True

    def tablas(self, c: Any) -> list[str]:
        return [
            t for (t,) in c.filas(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
            )
        ]

    def orden_es_sql(self, expr: str) -> str:
        if not self._hay_icu():
            return f"normalize({expr}, NFC)"
        return f'normalize({expr}, NFC) COLLATE "{COLACION_PG}"'

    def sin_acentos_sql_texto(self, expr: str) -> str:
        return f"lower(translate(normalize({expr}, NFC), '{CON_ACENTO}', '{SIN_ACENTO}'))"

    def en_lista_sql(self, expr: str, parametro: str, valores: Sequence[Any]) -> tuple[str, Any]:
        return f"{expr} = ANY(:{parametro})", list(valores)

    def dias_sql(self, expr: str, parametro: str, dias: Sequence[Any]) -> tuple[str, Any]:
        return f"CAST({expr} AS date) = ANY(:{parametro})", list(dias)

    def bloqueo_sql(self, c: Any, *claves: Any, _funcion: str = "pg_advisory_xact_lock") -> Any:
        if len(claves) == 1 and isinstance(claves[0], int):
            return c.valor(f"SELECT {_funcion}(:k)", k=claves[0])
        return c.valor(
            f"SELECT {_funcion}(hashtextextended(:k, 0))", k="|".join(str(x) for x in claves)
        )

    def bloqueo_compartido_sql(self, c: Any, *claves: Any) -> None:
        self.bloqueo_sql(c, *claves, _funcion="pg_advisory_xact_lock_shared")

    #: SQLSTATE (o su clase, los dos primeros caracteres) → clase de falla del entorno.
    _FALLAS: ClassVar[dict[str, str]] = {
        "40P01": "bloqueo_mutuo",
        "40001": "serializacion",
        "55P03": "espera_bloqueo",
        "57P01": "conexion_perdida",  # admin_shutdown: pg_terminate_backend, apagado
        "57P02": "conexion_perdida",  # crash_shutdown
        "57P03": "servidor_no_disponible",
        "57P05": "conexion_perdida",  # idle_session_timeout
        "08": "conexion_perdida",
        "53100": "disco_lleno",
        "53200": "memoria",
        "53300": "demasiadas_conexiones",
        "25006": "solo_lectura",
        "42501": "sin_permiso",
        "58030": "disco",
    }
    _CONEXION_PERDIDA = (
        "server closed the connection",
        "terminating connection",
        "consuming input failed",
        "the connection is closed",
        "connection already closed",
        "connection has been closed",
        "could not receive data from server",
        "eof detected",
        "connection is lost",
        "server conn crashed",
    )

    def clasificar_falla(self, orig: BaseException) -> str | None:
        estado = getattr(orig, "sqlstate", None) or ""
        if estado == "57014":  # query_canceled: por un tiempo de espera o por alguien
            texto = str(orig).lower()
            return "espera_bloqueo" if "timeout" in texto else "cancelado"
        clase = self._FALLAS.get(estado) or self._FALLAS.get(estado[:2])
        if clase is not None:
            return clase
        texto = str(orig).lower()
        if any(s in texto for s in self._CONEXION_PERDIDA):
            return "conexion_perdida"
        return None

    def indices(self, con: Any) -> set[str]:
        return {
            n for (n,) in con.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            )
        }

    def funciones(self, con: Any) -> set[str]:
        return {
            n for (n,) in con.exec_driver_sql(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema()"
            )
        }

    def tablas_legibles(self, c: Any, tablas: list[str]) -> list[str]:
        if not tablas:
            return []
        legibles = {
            t for (t,) in c.filas(
                "SELECT t FROM unnest(CAST(:ts AS text[])) AS t "
                "WHERE has_table_privilege(quote_ident(t), 'SELECT')",
                ts=list(tablas),
            )
        }
        return [t for t in tablas if t in legibles]

    def marcar_auditoria(self, dbapi: Any) -> Any:
        # Una variable de la transacción (``set_config(..., true)``: sirve también detrás de
        # PgBouncer en modo transacción) que leen los disparadores de auditoría. Es solo
        # informativa: ninguna política de seguridad confía en ella.
        usuario = usuario_so()
        if usuario is not None:
            cur = dbapi.cursor()
            try:
                cur.execute("SELECT set_config('amauta.usuario_so', %s, true)", (usuario,))
            finally:
                cur.close()
        return None

    def anotar_usuario_so(self, engine: Any) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "begin")
        def _al_comenzar(conn: Any) -> None:  # pragma: no cover - trivial
            if not conn.get_execution_options().get("solo_lectura"):
                self.marcar_auditoria(conn.connection.driver_connection)

    #: Los disparadores de auditoría de cada tabla auditada (migración 0005).
    DISPARADORES_AUDITORIA: ClassVar[tuple[str, ...]] = (
        "amauta_auditar_insert", "amauta_auditar_update", "amauta_auditar_delete",
    )

    def sin_auditoria_por_fila(self, con: Any, tablas: Sequence[str]) -> Any:
        # ALTER TABLE ... DISABLE TRIGGER dentro de la transacción: solo el dueño de la tabla
        # (o un superusuario) puede hacerlo, nunca un rol de escuela (que además no puede
        # correr db archivar); el cambio es transaccional y se revierte antes de confirmar,
        # así que ninguna otra sesión ve la tabla sin auditoría. Toma un bloqueo SHARE ROW
        # EXCLUSIVE hasta el final de la transacción: las lecturas siguen, las escrituras de
        # esa tabla esperan (db archivar es tarea de mantenimiento).
        from contextlib import contextmanager

        @contextmanager
        def contexto() -> Any:
            activos = self.disparadores(con)
            apagados = [
                (t, n) for t in tablas for n in self.DISPARADORES_AUDITORIA if (t, n) in activos
            ]
            for t, n in apagados:
                con.exec_driver_sql(f'ALTER TABLE "{t}" DISABLE TRIGGER "{n}"')
            yield
            for t, n in apagados:
                con.exec_driver_sql(f'ALTER TABLE "{t}" ENABLE TRIGGER "{n}"')

        return contexto()

    def auditar_resumen(self, con: Any, tabla: str, operacion: str, detalle: dict[str, Any]) -> None:
        import json

        from sqlalchemy import text

        if con.exec_driver_sql("SELECT to_regclass('\"_amauta_auditoria\"') IS NULL").scalar():
            return
        con.execute(
            text(
                'INSERT INTO "_amauta_auditoria" ("id", "momento", "rol", "usuarioSo", "cliente", '
                '"operacion", "tabla", "registroId", "grupoId", "estudianteId", "antes", "despues") '
                "VALUES (nextval('\"_amauta_auditoria_id_seq\"'), "
                "(now() AT TIME ZONE 'UTC')::timestamp(3), session_user, "
                "nullif(current_setting('amauta.usuario_so', true), ''), "
                "nullif(current_setting('application_name', true), ''), "
                ":op, :tabla, '*', NULL, NULL, NULL, CAST(:detalle AS jsonb))"
            ),
            {"op": operacion, "tabla": tabla, "detalle": json.dumps(detalle)},
        )

    def tras_copiar(self, con: Any) -> None:
        # La secuencia de los ids de auditoría sigue después de las filas copiadas, y el mapa de
        # personas de cada institución (_amauta_vinculo, que no se copia: lo arman los
        # disparadores) se completa como en la 0005, con los exalumnos de cada escuela (por sus
        # registros vivos y archivados).
        if con.exec_driver_sql("SELECT to_regclass('\"_amauta_vinculo\"') IS NULL").scalar():
            return
        con.exec_driver_sql(
            "SELECT setval('\"_amauta_auditoria_id_seq\"', coalesce(max(\"id\"), 0) + 1, false) "
            'FROM "_amauta_auditoria"'
        )
        registros = [f'"{t}"' for t in ("Asistencia", "Calificacion")]
        if con.exec_driver_sql(f"SELECT to_regclass('{self.ESQUEMA_ARCHIVO}.\"Asistencia\"') IS NOT NULL").scalar():
            registros += [self.nombre_archivo(t) for t in ("Asistencia", "Calificacion")]
        por_registros = "".join(
            f' UNION SELECT g."institucionId", x."estudianteId" FROM (SELECT DISTINCT "grupoId", '
            f'"estudianteId" FROM {r}) x JOIN "Grupo" g ON g."id" = x."grupoId"'
            for r in registros
        )
        con.exec_driver_sql(
            'INSERT INTO "_amauta_vinculo" ("institucionId", "usuarioId") '
            'SELECT g."institucionId", ge."estudianteId" FROM "GrupoEstudiante" ge '
            'JOIN "Grupo" g ON g."id" = ge."grupoId" '
            'UNION SELECT g."institucionId", g."educadorId" FROM "Grupo" g '
            'UNION SELECT c."institucionId", c."autorId" FROM "Comunicado" c'
            + por_registros
            + " ON CONFLICT DO NOTHING"
        )

    def disparadores(self, con: Any) -> set[tuple[str, str]]:
        return set(
            tuple(f) for f in con.exec_driver_sql(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgenabled <> 'D'"
            ).all()
        )

    def problemas_esquema(self, con: Any, insp: Any, existentes: set[str]) -> list[str]:
        from sqlalchemy import text

        from amauta_cli.models import ENUMS

        problemas: list[str] = []
        filas = con.execute(
            text(
                "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) "
                "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
                "JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() GROUP BY t.typname"
            )
        ).all()
        reales = {nombre: list(valores) for nombre, valores in filas}
        for nombre, enum_cls in ENUMS.items():
            esperado = [m.value for m in enum_cls]
            if nombre not in reales:
                problemas.append(f'falta el tipo enum "{nombre}"')
            elif reales[nombre] != esperado:
                problemas.append(
                    f'el enum "{nombre}" tiene los valores {reales[nombre]}, deberían ser {esperado}'
                )
        if "Curso" in existentes:
            indices = {i["name"] for i in insp.get_indexes("Curso")}
            if "idx_curso_busqueda" not in indices:
                problemas.append(
                    'falta el índice GIN de búsqueda en español "idx_curso_busqueda" en "Curso"'
                )
        return problemas

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

    def crear_archivo(self, con: Any, tabla: str, esquema: str | None = None) -> None:
        # El esquema "archivo" no lo ve el cliente de Prisma (solo mira el de la URL): el
        # esquema de Prisma queda intacto. LIKE copia columnas, tipos (los enum del esquema
        # de la aplicación), valores por defecto, clave primaria e índices; no las foráneas.
        for sql in self.sql_crear_archivo(tabla, esquema):
            con.exec_driver_sql(sql)

    def sql_crear_archivo(self, tabla: str, esquema: str | None = None) -> list[str]:
        esquema = esquema or self.ESQUEMA_ARCHIVO
        return [
            f'CREATE SCHEMA IF NOT EXISTS "{esquema}"',
            f'CREATE TABLE "{esquema}"."{tabla}" (LIKE "{tabla}" INCLUDING DEFAULTS '
            "INCLUDING CONSTRAINTS INCLUDING INDEXES)",
        ]

    def borrar_archivo(self, con: Any, esquema: str | None = None) -> None:
        con.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{esquema or self.ESQUEMA_ARCHIVO}" CASCADE')

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

    carga_por_copy = True

    def cargar_tablas(self, con: Any, trabajos: Any, avanzar: Any = None, memoria: int = 256 << 20) -> bool:
        # COPY en formato texto de bloques ya armados, tabla tras tabla, desde UN hilo escritor:
        # mientras el servidor todavía carga una tabla (p. ej. Asistencia, donde manda el
        # servidor), este hilo ya arma las líneas de la siguiente (la auditoría, donde manda
        # Python). Esperar al socket suelta el GIL. Lo armado y no enviado, hasta ``memoria``.
        import queue
        import threading

        crudo = con.connection.driver_connection
        cola: queue.Queue = queue.Queue()
        fin_tabla, abortar = object(), object()
        errores: list[BaseException] = []
        en_cola = [0]
        hay_lugar = threading.Condition()

        def escritor() -> None:
            try:
                with crudo.cursor() as cur:
                    while (sql := cola.get()) is not None:
                        with cur.copy(sql) as copia:
                            while (dato := cola.get()) is not fin_tabla:
                                if dato is abortar:
                                    raise RuntimeError("copia interrumpida")
                                copia.write(dato)
                                with hay_lugar:
                                    en_cola[0] -= len(dato)
                                    hay_lugar.notify()
            except BaseException as e:  # noqa: BLE001 - se relanza en el hilo principal
                errores.append(e)
                with hay_lugar:
                    hay_lugar.notify()

        hilo = threading.Thread(target=escritor, name="amauta-copy", daemon=True)
        hilo.start()
        try:
            for tabla, bloques in trabajos:
                nombre = ".".join(f'"{p}"' for p in ((tabla.schema,) if tabla.schema else ()) + (tabla.name,))
                columnas = ", ".join(f'"{c.name}"' for c in tabla.columns)
                cola.put(f"COPY {nombre} ({columnas}) FROM STDIN")
                for texto, n in bloques:
                    with hay_lugar:
                        while en_cola[0] > memoria and not errores:
                            hay_lugar.wait(1)
                        if errores:
                            raise errores[0]
                        en_cola[0] += len(texto)
                    cola.put(texto)
                    if avanzar is not None:
                        avanzar(n)
                cola.put(fin_tabla)
            cola.put(None)
        except BaseException:
            cola.put(abortar)
            cola.put(None)
            hilo.join()
            raise
        hilo.join()
        if errores:
            raise errores[0]
        return True

    def suma_de_control(self, con: Any, tabla: Any, sql: str) -> tuple[int, int] | None:
        nombre = ".".join(f'"{p}"' for p in ((tabla.schema,) if tabla.schema else ()) + (tabla.name,))
        filas, suma = con.exec_driver_sql(sql.replace("{tabla}", nombre)).one()
        return int(filas), int(suma)

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
        # tabla sigue pasando por las filas archivadas hasta que llegue autovacuum. Sin limpiar
        # los índices (INDEX_CLEANUP OFF): es lo caro, y lo completa autovacuum después.
        from amauta_cli.db import crear_motor

        nombre = ".".join(f'"{p}"' for p in ((tabla.schema,) if tabla.schema else ()) + (tabla.name,))
        with crear_motor(url).connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            con.exec_driver_sql(f"VACUUM (INDEX_CLEANUP OFF) {nombre}")

    def analizar(self, con: Any, *tablas: Any) -> None:
        for t in tablas:
            nombre = ".".join(f'"{p}"' for p in ((t.schema,) if t.schema else ()) + (t.name,))
            con.exec_driver_sql(f"ANALYZE {nombre}")

    # psycopg lo pone en el BEGIN mismo (BEGIN ISOLATION LEVEL REPEATABLE READ): no depende
    # de qué corrió antes en la transacción (la marca de auditoría del evento "begin") y vale
    # detrás de PgBouncer en modo transacción (nada queda en la sesión del servidor).
    opciones_estables: dict[str, Any] = {"isolation_level": "REPEATABLE READ"}

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

    def dia(self, col: Any) -> Any:
        # SQLAlchemy guarda los TIMESTAMP como texto ISO ('2026-07-09 00:00:00.000000'): el día
        # son los primeros 10 caracteres, y un ``Date`` se compara como 'AAAA-MM-DD'.
        from sqlalchemy import Date, func, type_coerce

        return type_coerce(func.substr(col, 1, 10), Date)

    def en_lista(self, expr: Any, valores: Sequence[str]) -> Any:
        # ``expr IN (SELECT value FROM json_each(:json))``: sin el límite de parámetros de SQLite.
        import json

        from sqlalchemy import func, literal, select

        tabla = func.json_each(literal(json.dumps(list(valores)))).table_valued("value")
        return expr.in_(select(tabla.c.value))

    _BUSQUEDA = (
        'SELECT m."cursoId" AS curso_id, -bm25("_amauta_busqueda_fts", 10.0, 4.0, 2.0) AS rango '
        'FROM "_amauta_busqueda_fts" JOIN "_amauta_busqueda_curso" m '
        'ON m."n" = "_amauta_busqueda_fts".rowid WHERE "_amauta_busqueda_fts" MATCH :consulta '
    )
    # LIMIT -1 (sin límite) impide que SQLite aplane la subconsulta en el JOIN con "Curso":
    # aplanada, recorría los cursos por estado y consultaba FTS5 una vez por curso (50× más
    # lento); así recorre solo las coincidencias del índice, una vez.
    _SIN_APLANAR = " LIMIT -1"

    def busqueda_cursos(self, texto: str, solo_publicados: bool = False) -> Any:
        from sqlalchemy import Float, Text, text

        from amauta_cli.busqueda import consulta_fts5

        # Sin palabras con contenido, una consulta que no encuentra nada (como plainto_tsquery).
        consulta = consulta_fts5(texto) or '"\u0000"'
        filtro = ' AND m."publicado" = 1' if solo_publicados else ""
        return (
            text(self._BUSQUEDA + filtro + self._SIN_APLANAR)
            .bindparams(consulta=consulta)
            .columns(curso_id=Text(), rango=Float())
            .subquery("busqueda")
        )

    #: La misma carga completa que hace la migración 0004 (una sentencia por paso).
    _RECARGA = (
        'DELETE FROM "_amauta_busqueda_fts"',
        'DELETE FROM "_amauta_busqueda_curso"',
        'INSERT INTO "_amauta_busqueda_curso" ("cursoId", "publicado") '
        'SELECT "id", "estado" = \'PUBLICADO\' FROM "Curso" ORDER BY "createdAt", "id"',
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
            text(f"EXPLAIN QUERY PLAN {self._BUSQUEDA}{self._SIN_APLANAR}"), {"consulta": consulta_fts5(texto) or ""}
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

    def crear_archivo(self, con: Any, tabla: str, esquema: str | None = None) -> None:
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

    def sql_crear_archivo(self, tabla: str, esquema: str | None = None) -> list[str]:
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

    filas_crudas = True

    def leer_filas_crudas(self, con: Any, tabla: Any, lote: int = 10000) -> Any:
        columnas = ", ".join(f'"{c.name}"' for c in tabla.columns)
        cur = con.connection.driver_connection.execute(f'SELECT {columnas} FROM "{tabla.name}"')
        try:
            while filas := cur.fetchmany(lote):
                yield from filas
        finally:
            try:
                cur.close()
            except Exception:  # noqa: BLE001 - la conexión ya se cerró (la copia falló antes)
                pass

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

    def borrar_archivo(self, con: Any, esquema: str | None = None) -> None:
        for (nombre,) in con.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_amauta\\_archivo\\_%' ESCAPE '\\'"
        ).all():
            con.exec_driver_sql(f'DROP TABLE "{nombre}"')

    def intentar_bloqueo(self, con: Any, *claves: Any) -> bool:
        return True

    def existe_tabla(self, c: Any, nombre: str) -> bool:
        return c.valor(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n", n=nombre
        ) is not None

    def tablas(self, c: Any) -> list[str]:
        return [
            t for (t,) in c.filas(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY 1"
            )
        ]

    def orden_es_sql(self, expr: str) -> str:
        return f"{expr} COLLATE {COLACION_SQLITE}"

    def sin_acentos_sql_texto(self, expr: str) -> str:
        return f"amauta_sin_acentos({expr})"

    def en_lista_sql(self, expr: str, parametro: str, valores: Sequence[Any]) -> tuple[str, Any]:
        import json

        return f"{expr} IN (SELECT value FROM json_each(:{parametro}))", json.dumps(list(valores))

    def dias_sql(self, expr: str, parametro: str, dias: Sequence[Any]) -> tuple[str, Any]:
        # Como ``dia``: el texto ISO guardado empieza por 'AAAA-MM-DD'.
        return self.en_lista_sql(f"substr({expr}, 1, 10)", parametro, [d.isoformat() for d in dias])

    def fecha_hora_a_bd(self, valor: Any) -> Any:
        # El mismo texto que escribe SQLAlchemy en una columna DateTime de SQLite.
        return None if valor is None else valor.strftime("%Y-%m-%d %H:%M:%S.%f")

    def fecha_hora_de_bd(self, valor: Any) -> Any:
        from datetime import datetime

        return datetime.fromisoformat(valor) if isinstance(valor, str) else valor

    def booleano(self, valor: Any) -> Any:
        return None if valor is None else bool(valor)

    #: Código primario de SQLite (``sqlite_errorcode & 0xFF``) → clase de falla del entorno.
    _FALLAS: ClassVar[dict[int, str]] = {
        5: "espera_bloqueo",  # SQLITE_BUSY
        6: "espera_bloqueo",  # SQLITE_LOCKED
        8: "solo_lectura",  # SQLITE_READONLY
        10: "disco",  # SQLITE_IOERR
        11: "danada",  # SQLITE_CORRUPT
        13: "disco_lleno",  # SQLITE_FULL
        14: "no_abre",  # SQLITE_CANTOPEN
        23: "sin_permiso",  # SQLITE_AUTH
        26: "danada",  # SQLITE_NOTADB
    }
    _MENSAJES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("database or disk is full", "disco_lleno"),
        ("readonly database", "solo_lectura"),
        ("unable to open database", "no_abre"),
        ("database is locked", "espera_bloqueo"),
        ("database table is locked", "espera_bloqueo"),
        ("disk i/o error", "disco"),
        ("not a database", "danada"),
        ("malformed", "danada"),
        ("file is encrypted", "danada"),
    )

    def clasificar_falla(self, orig: BaseException) -> str | None:
        codigo = getattr(orig, "sqlite_errorcode", None)
        if codigo is not None:
            clase = self._FALLAS.get(codigo & 0xFF)
            if clase is not None:
                # SQLITE_IOERR por falta de espacio llega a veces como error de disco.
                if clase == "disco" and "full" in str(orig).lower():
                    return "disco_lleno"
                return clase
        texto = str(orig).lower()
        return next((clase for s, clase in self._MENSAJES if s in texto), None)

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

    def fecha_para_carga(self, con: Any, tipo: Any) -> Callable[[Any], Any]:
        from datetime import datetime, time

        a_bd = tipo.dialect_impl(con.dialect).bind_processor(con.dialect)
        if a_bd is None:  # pragma: no cover
            return lambda d: d
        # El texto exacto con que SQLAlchemy guarda la medianoche de esa fecha.
        return lambda d: a_bd(datetime.combine(d, time()))

    def cargar_temporal(self, con: Any, nombre: str, columnas: Sequence[str], filas: Iterable[tuple]) -> None:
        from amauta_cli.db import cruda

        self.cargar_temporal_sql(cruda(con), self.temporal(nombre), columnas, filas)

    def lista_para_carga(self, lista: list[str]) -> Any:
        import json

        return json.dumps(lista)  # como el tipo JSON de SQLAlchemy

    def crear_temporal_sql(self, c: Any, nombre: str, columnas: str, cruce: Sequence[str] = ()) -> str:
        # SQLite no tiene ON COMMIT DROP: la de una corrida anterior interrumpida se borra antes.
        c.ejecutar(f"DROP TABLE IF EXISTS temp.{nombre}")
        c.ejecutar(f"CREATE TEMP TABLE {nombre} ({columnas})")
        if cruce:  # SQLite cruza con bucles anidados: sin índice, cada fila recorre la otra tabla
            c.ejecutar(f"CREATE INDEX temp.{nombre}_cruce ON {nombre} ({', '.join(cruce)})")
        return f"temp.{nombre}"

    def cargar_temporal_sql(self, c: Any, nombre: str, columnas: Sequence[str], filas: Iterable[Sequence[Any]]) -> None:
        from itertools import islice

        sql = f"INSERT INTO {nombre} ({', '.join(columnas)}) VALUES ({', '.join('?' * len(columnas))})"
        cur = c.dbapi.cursor()
        try:
            filas = iter(filas)
            while lote := list(islice(filas, 20_000)):
                cur.executemany(sql, lote)
        finally:
            cur.close()

    def insertar_masivo(
        self,
        con: Any,
        tabla: Any,
        filas: list[dict[str, Any]],
        progreso: Callable[[int], None] | None = None,
        lote: int = 1000,
    ) -> None:
        # Una sola sentencia INSERT compilada una vez y ejecutada con ``executemany`` por lotes
        # (sqlite3 la recorre en C): 0,28 s con 10.000 usuarios + perfiles.
        from sqlalchemy import insert

        sentencia = insert(tabla)
        for i in range(0, len(filas), lote):
            trozo = filas[i : i + lote]
            con.execute(sentencia, trozo)
            if progreso:
                progreso(len(trozo))

    def insertar_masivo_sql(
        self,
        c: Any,
        tabla: str,
        filas: list[dict[str, Any]],
        progreso: Callable[[int], None] | None = None,
        lote: int = 1000,
    ) -> None:
        import json
        from datetime import datetime

        if not filas:
            return
        columnas = list(filas[0])

        def valor(v: Any) -> Any:
            if isinstance(v, datetime):
                return self.fecha_hora_a_bd(v)
            if isinstance(v, list):
                return json.dumps(v)  # como el tipo JSON de SQLAlchemy
            if isinstance(v, bool):
                return int(v)
            return v

        nombres = ", ".join(f'"{col}"' for col in columnas)
        marcas = ", ".join("?" for _ in columnas)
        sentencia = f'INSERT INTO "{tabla}" ({nombres}) VALUES ({marcas})'
        cur = c.dbapi.cursor()
        try:
            for i in range(0, len(filas), lote):
                trozo = filas[i : i + lote]
                cur.executemany(sentencia, [[valor(f[col]) for col in columnas] for f in trozo])
                if progreso:
                    progreso(len(trozo))
        finally:
            cur.close()

    def version_servidor(self, c: Any) -> str:
        return str(c.valor("SELECT sqlite_version()"))

    def sin_auditoria_por_fila(self, con: Any, tablas: Sequence[str]) -> Any:
        # SQLite no apaga disparadores: se borran y se vuelven a crear con su mismo SQL dentro de
        # la transacción (el DDL de SQLite es transaccional; con BEGIN IMMEDIATE nadie más
        # escribe mientras tanto). En SQLite no hay roles: quien abre el archivo puede todo.
        from contextlib import contextmanager

        @contextmanager
        def contexto() -> Any:
            guardados = con.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'amauta\\_auditar\\_%' ESCAPE '\\' AND tbl_name IN ("
                + ", ".join("'" + t.replace("'", "''") + "'" for t in tablas) + ")"
            ).all()
            for nombre, _sql in guardados:
                con.exec_driver_sql(f'DROP TRIGGER "{nombre}"')
            # Las filas de auditoría que se copian tal cual no se "sellan" con el usuario de
            # quien copia (anotar_usuario_so); el resumen lleva el suyo.
            con.info.pop("amauta_auditoria", None)
            yield
            for _nombre, sql in guardados:
                con.exec_driver_sql(sql)

        return contexto()

    def auditar_resumen(self, con: Any, tabla: str, operacion: str, detalle: dict[str, Any]) -> None:
        import json

        from sqlalchemy import text

        if not con.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_amauta_auditoria'"
        ).first():
            return
        con.execute(
            text(
                'INSERT INTO "_amauta_auditoria" ("momento", "usuarioSo", "cliente", "operacion", '
                '"tabla", "registroId", "despues") VALUES '
                "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000', :usuario, 'amauta', :op, :tabla, "
                "'*', :detalle)"
            ),
            {"usuario": usuario_so(), "op": operacion, "tabla": tabla, "detalle": json.dumps(detalle)},
        )

    # SQLite no tiene variables de sesión que un disparador pueda leer (y una función registrada
    # solo por amauta haría fallar las escrituras de otros clientes): los disparadores dejan
    # "usuarioSo" vacío y amauta, al confirmar una transacción de escritura, completa las filas
    # de auditoría que ella misma agregó (las de id mayor que el último al empezar: con BEGIN
    # IMMEDIATE nadie más escribió en el medio).
    def marcar_auditoria(self, dbapi: Any) -> Any:
        cur = dbapi.cursor()
        try:
            cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_amauta_auditoria'")
            if cur.fetchone() is None:
                return None
            cur.execute('SELECT coalesce(max("id"), 0) FROM "_amauta_auditoria"')
            return cur.fetchone()[0]
        finally:
            cur.close()

    def sellar_auditoria(self, dbapi: Any, marca: Any) -> None:
        import sqlite3

        if marca is None:
            return
        cur = dbapi.cursor()
        try:
            cur.execute(
                """UPDATE "_amauta_auditoria" SET "usuarioSo" = ?, "cliente" = 'amauta' """
                """WHERE "id" > ? AND "cliente" IS NULL""",
                (usuario_so(), marca),
            )
        except sqlite3.OperationalError:
            pass  # la transacción borró la tabla (db rollback de la 0005)
        finally:
            cur.close()

    def anotar_usuario_so(self, engine: Any) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "begin")
        def _al_comenzar(conn: Any) -> None:  # pragma: no cover - trivial
            if not conn.get_execution_options().get("solo_lectura"):
                conn.info["amauta_auditoria"] = self.marcar_auditoria(conn.connection.driver_connection)

        @event.listens_for(engine, "commit")
        def _al_confirmar(conn: Any) -> None:  # pragma: no cover - trivial
            marca = conn.info.pop("amauta_auditoria", None)
            self.sellar_auditoria(conn.connection.driver_connection, marca)

        @event.listens_for(engine, "rollback")
        def _al_deshacer(conn: Any) -> None:  # pragma: no cover - trivial
            conn.info.pop("amauta_auditoria", None)

    def borrar_todo(self, con: Any, conservar: Collection[str] = ()) -> list[str]:
        # Las claves foráneas se controlan al confirmar, cuando ya no queda ninguna tabla.
        con.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        prep = con.dialect.identifier_preparer
        # Primero los disparadores (los de la búsqueda de cursos): al borrar "Curso", SQLite borra
        # sus filas y las lecciones en cascada, y un disparador que escribe la tabla FTS5 en medio
        # de un DROP TABLE falla con "database table is locked".
        disparadores = con.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1"
        ).scalars().all()
        for d in disparadores:
            con.exec_driver_sql(f"DROP TRIGGER IF EXISTS {prep.quote_identifier(d)}")
        tablas = con.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        ).scalars().all()
        conservadas = [t for t in tablas if t in conservar]
        for t in tablas:
            if t in conservar:
                continue
            # IF EXISTS: borrar la tabla FTS5 de la búsqueda de cursos borra también sus internas.
            con.exec_driver_sql(f"DROP TABLE IF EXISTS {prep.quote_identifier(t)}")
        return conservadas

    def preparar_para_cruzar(self, con: Any, tabla: str, columnas: list[str]) -> None:
        cols = ", ".join(f'"{c}"' for c in columnas)
        con.exec_driver_sql(f'CREATE INDEX temp."{tabla}_cruce" ON "{tabla}" ({cols})')



_cache_archivo: dict[tuple[str, str], Any] = {}

_DIALECTOS: dict[str, Dialecto] = {"postgresql": PostgreSQL(), "sqlite": SQLite()}


def por_nombre(nombre: str) -> Dialecto:
    try:
        return _DIALECTOS[nombre]
    except KeyError:  # pragma: no cover - db.py ya rechaza otros motores
        raise ValueError(f"motor no soportado: {nombre}") from None


def dialecto(bind: Any) -> Dialecto:
    """El dialecto de una ``Session``, ``Connection`` o ``Engine`` (en PostgreSQL, atado a esa
    conexión: ``orden_es`` mira una vez si el servidor tiene ICU)."""
    original = bind
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return atado(por_nombre(bind.dialect.name), original if hasattr(original, "execute") else None)


def atado(d: Dialecto, bind: Any) -> Dialecto:
    """El dialecto ``d`` atado a una conexión (de SQLAlchemy o del driver), para las piezas que
    consultan al servidor (``orden_es``: ¿hay ICU?)."""
    return type(d)(bind)


def orden_es(bind: Any, *columnas: Any) -> list[Any]:
    """``ORDER BY`` alfabético español de varias columnas:
    ``.order_by(*orden_es(s, Usuario.apellido, Usuario.nombre), Usuario.email)``."""
    d = dialecto(bind)
    return [d.orden_es(c) for c in columnas]
