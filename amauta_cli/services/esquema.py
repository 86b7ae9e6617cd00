"""El esquema de la base: migraciones (Alembic por su API), estado, historial y deriva.

``amauta db migrate|rollback|estado|historial|verificar`` llaman a estas funciones.
No imprimen: devuelven datos o lanzan ``AmautaError`` con mensajes en español.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from amauta_cli.db import como_objetivo, conexion
from amauta_cli.errores import ErrorMigracion
from amauta_cli.objetivo import Objetivo

if TYPE_CHECKING:  # pragma: no cover
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory
    from sqlalchemy.engine import Connection

#: La última revisión de las migraciones que trae este paquete. Los comandos de todos los días
#: comparan la de la base con ella en una sola consulta, sin cargar Alembic;
#: ``tests/test_esquema_cabeza.py`` comprueba que coincida con la de ``migrations/``.
CABEZA = "0007"

#: Clave del bloqueo consultivo de PostgreSQL que serializa ``amauta db migrate``.
CLAVE_BLOQUEO_MIGRACION = 0x616D61757461  # "amauta"

#: Índices que existen solo en PostgreSQL y se crean con SQL en la migración.
INDICES_SOLO_SQL = {"idx_curso_busqueda"}

#: Tablas de Prisma Migrate en una base compartida con la aplicación web: son su
#: contabilidad, como ``alembic_version`` es la de amauta. No son deriva (``verificar``),
#: no son datos (``estado``, respaldos), ``seed --reset`` no las borra y la adopción
#: (``migrar`` sobre una base creada por Prisma) no las toca.
TABLAS_DE_PRISMA = frozenset({"_prisma_migrations"})

#: Objetos propios de amauta para la búsqueda de cursos (migración 0004), fuera de los modelos
#: de Prisma y creados con SQL: ``verificar`` no los toma como sobrantes y comprueba que estén.
#: Todas sus tablas empiezan con este prefijo (en SQLite, FTS5 agrega sus tablas internas
#: ``_amauta_busqueda_fts_data``, ``_idx``, ``_content``, ``_docsize`` y ``_config``).
PREFIJO_BUSQUEDA = "_amauta_busqueda"
BUSQUEDA_PG = {
    "tablas": ["_amauta_busqueda_curso"],
    "indices": {"_amauta_busqueda_curso": ["_amauta_busqueda_curso_documento_idx"]},
    "funciones": [
        "amauta_sin_acentos",
        "amauta_documento_curso",
        "amauta_busqueda_actualizar",
        "_amauta_busqueda_curso_insert",
        "_amauta_busqueda_curso_update",
        "_amauta_busqueda_leccion_insert",
        "_amauta_busqueda_leccion_update",
        "_amauta_busqueda_leccion_delete",
    ],
    "disparadores": {
        "Curso": ["_amauta_busqueda_curso_insert", "_amauta_busqueda_curso_update"],
        "Leccion": [
            "_amauta_busqueda_leccion_insert",
            "_amauta_busqueda_leccion_update",
            "_amauta_busqueda_leccion_delete",
        ],
    },
}
BUSQUEDA_SQLITE = {
    "tablas": ["_amauta_busqueda_curso", "_amauta_busqueda_fts"],
    "disparadores": {
        "Curso": [
            "_amauta_busqueda_curso_insert",
            "_amauta_busqueda_curso_update",
            "_amauta_busqueda_curso_delete",
            "_amauta_busqueda_curso_estado",
        ],
        "Leccion": [
            "_amauta_busqueda_leccion_insert",
            "_amauta_busqueda_leccion_update",
            "_amauta_busqueda_leccion_delete",
        ],
    },
}
BUSQUEDA_POR_MOTOR = {"postgresql": BUSQUEDA_PG, "sqlite": BUSQUEDA_SQLITE}
_SOMBRAS_FTS5 = ("_data", "_idx", "_content", "_docsize", "_config")


def es_tabla_propia_de_busqueda(nombre: str | None) -> bool:
    """Las tablas de la búsqueda de cursos (y las internas de FTS5 en SQLite)."""
    return bool(nombre) and nombre.startswith(PREFIJO_BUSQUEDA)


def es_tabla_interna_fts5(nombre: str) -> bool:
    return nombre.startswith(PREFIJO_BUSQUEDA + "_fts_") and nombre.endswith(_SOMBRAS_FTS5)


# --- Alembic ---------------------------------------------------------------------------
def dir_migraciones() -> Path:
    """``migrations/``: dentro del paquete instalado, o en la raíz del repositorio."""
    import amauta_cli

    paquete = Path(amauta_cli.__file__).resolve().parent
    for candidato in (paquete / "migrations", paquete.parent / "migrations"):
        if (candidato / "env.py").is_file():
            return candidato
    raise ErrorMigracion(  # pragma: no cover - instalación rota
        "No se encontró la carpeta de migraciones de amauta; reinstale el paquete."
    )


def config_alembic(url: str | None = None) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(dir_migraciones()))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@lru_cache(maxsize=1)
def script() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config_alembic())


def cabeza() -> str:
    return script().get_current_head()


def revisiones() -> list["Script"]:
    """Todas las revisiones, de la más antigua a la más nueva."""
    return list(reversed(list(script().walk_revisions())))


def revision_actual(con: Any) -> str | None:
    """La revisión de la base (None si no tiene ``alembic_version``): una consulta, sin Alembic.

    ``con``: una conexión o sesión de SQLAlchemy, o una ``db.Cruda``.
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    if not c.d.existe_tabla(c, "alembic_version"):
        return None
    return c.valor("SELECT version_num FROM alembic_version")


def _conocida(rev: str | None) -> None:
    if rev is None:
        return
    from alembic.util import CommandError

    try:
        if script().get_revision(rev) is not None:
            return
    except CommandError:
        pass
    raise ErrorMigracion(
        f"La base está en la revisión '{rev}', que esta versión de amauta no conoce: "
        f"la base es más nueva que el código (última revisión conocida: '{cabeza()}'). "
        "Actualice amauta a la versión que creó esa revisión antes de usar esta base; "
        "no la migre ni la revierta con esta versión."
    )


def _resolver(rev: str) -> str | None:
    """Convierte 'head', 'base' o un id (o prefijo) en una revisión concreta (None = base)."""
    from alembic.util import CommandError

    if rev in ("base", None):
        return None
    if rev == "head":
        return cabeza()
    try:
        sc = script().get_revision(rev)
    except CommandError:
        sc = None
    if sc is None:
        disponibles = ", ".join(s.revision for s in revisiones())
        raise ErrorMigracion(
            f"Revisión desconocida: '{rev}'. Las revisiones disponibles son: {disponibles} "
            "(además de 'head' y 'base')."
        )
    return sc.revision


def _camino(superior: str | None, inferior: str | None) -> list["Script"]:
    """Revisiones entre ``inferior`` (excluida) y ``superior`` (incluida), de abajo hacia arriba."""
    if superior is None or superior == inferior:
        return []
    scripts = list(script().iterate_revisions(superior, inferior or "base"))
    return list(reversed(scripts))


def _titulo(sc: "Script") -> str:
    return (sc.doc or "").strip().splitlines()[0] if sc.doc else ""


@dataclass
class PasoMigracion:
    revision: str
    descripcion: str


def _pasos(scripts: list["Script"]) -> list[PasoMigracion]:
    return [PasoMigracion(s.revision, _titulo(s)) for s in scripts]


# --- Migrar ------------------------------------------------------------------------------
@dataclass
class ResultadoMigracion:
    desde: str | None
    hasta: str | None
    aplicadas: list[PasoMigracion] = field(default_factory=list)
    #: La revisión registrada como aplicada al adoptar una base creada por Prisma.
    adoptada: str | None = None


def _bloquear(con: "Connection", avisar: Callable[[str], None]) -> None:
    """Serializa migraciones concurrentes con un bloqueo de transacción."""
    from amauta_cli.dialecto import dialecto

    d = dialecto(con)
    if not d.intentar_bloqueo(con, CLAVE_BLOQUEO_MIGRACION):
        avisar(
            "Otra ejecución de `amauta db migrate` está migrando esta base en este momento "
            f"(bloqueo consultivo {CLAVE_BLOQUEO_MIGRACION}); esperando a que termine..."
        )
        d.bloqueo(con, CLAVE_BLOQUEO_MIGRACION)


def migrar(
    objetivo: Objetivo | str, revision: str = "head", avisar: Callable[[str], None] = lambda _m: None
) -> ResultadoMigracion:
    """Sube la base hasta ``revision`` en una transacción. Sin cambios si ya está al día.

    Es uno de los tres comandos que pueden crear una base SQLite (en una carpeta existente).
    """
    from alembic import command

    destino = _resolver(revision)
    with conexion(objetivo, crear=True) as con:
        _bloquear(con, avisar)
        actual = revision_actual(con)
        _conocida(actual)
        adoptada = None
        if actual is None and tiene_tablas_del_diseno(con):
            adoptada = actual = revision_por_esquema(con)
            _registrar_revision(con, adoptada)
        if actual is not None and destino is not None and actual != destino:
            if destino in {s.revision for s in _camino(actual, None)}:
                raise ErrorMigracion(
                    f"La base ya está en '{actual}', posterior a '{destino}'. "
                    "Para volver atrás use `amauta db rollback --revision "
                    f"{destino}`."
                )
        plan = _camino(destino, actual)
        if not plan:
            return ResultadoMigracion(actual, actual, adoptada=adoptada)
        cfg = config_alembic()
        cfg.attributes["connection"] = con
        command.upgrade(cfg, destino or "base")
    return ResultadoMigracion(actual, destino, _pasos(plan), adoptada=adoptada)


# --- Adoptar una base creada por Prisma -------------------------------------------------------
def tiene_tablas_del_diseno(con: Any) -> bool:
    """¿Tiene la base tablas (o tipos enum) de los modelos del diseño? La creó otro, p. ej. Prisma.

    ``con``: una conexión o sesión de SQLAlchemy, o una ``db.Cruda``.
    """
    from amauta_cli import enums
    from amauta_cli.db import cruda
    from amauta_cli.services import catalogo

    c = cruda(con)
    if set(c.d.tablas(c)) & set(TABLAS_PRISMA):
        return True
    if not c.d.es_servidor:
        return False
    nombres = [e.__name__ for e in enums.enum.StrEnum.__subclasses__() if e.__module__ == enums.__name__]
    return bool(catalogo.tipos_existentes(c, nombres))


def revision_por_esquema(con: "Connection") -> str:
    """La revisión de amauta cuyo esquema es idéntico al de la base (sin ``alembic_version``).

    Se compara el catálogo de la base (tablas, columnas con tipo, nulabilidad y default,
    claves, claves foráneas y sus acciones, índices, enums) con el que crean las
    migraciones de amauta, revisión por revisión desde la primera (la de los modelos del
    diseño, que es lo que crea ``prisma migrate``), en un esquema temporal que se deshace.
    ``_prisma_migrations`` no se compara ni se toca. Si ninguna coincide, lanza
    ``ErrorMigracion`` con las diferencias respecto de la más parecida.
    """
    from amauta_cli.services import catalogo

    if not catalogo.disponible(con):
        raise ErrorMigracion(
            "La base tiene tablas de los modelos del diseño pero no la revisión de amauta "
            "(falta alembic_version). Adoptar una base creada por otra herramienta solo es "
            "posible en PostgreSQL; una base SQLite de amauta siempre tiene su revisión. "
            "Use una base SQLite nueva (otro archivo) o restaure un respaldo."
        )
    real = catalogo.leer(con)
    mejor: tuple[str, list[str]] | None = None
    with catalogo.referencia(con) as ref:
        for sc in revisiones():
            ref.subir(sc.revision)
            difs = catalogo.diferencias(real, ref.catalogo())
            if not difs:
                return sc.revision
            if mejor is None or len(difs) < len(mejor[1]):
                mejor = (sc.revision, difs)
    assert mejor is not None
    rev, difs = mejor
    raise ErrorMigracion(
        "La base tiene las tablas de los modelos del diseño pero no la revisión de amauta "
        "(falta alembic_version: la creó otra herramienta, p. ej. `prisma migrate deploy`), y "
        "su esquema no es idéntico al de ninguna revisión de amauta. No se adoptó ni se cambió "
        f"nada. Diferencias con la revisión {rev}, la más parecida ({len(difs)}); corríjalas "
        "(o cree la base con `amauta db migrate` sobre una base vacía) y vuelva a ejecutar "
        "`amauta db migrate`:",
        difs,
    )


def _registrar_revision(con: "Connection", revision: str) -> None:
    """Registra ``revision`` como aplicada sin ejecutarla (``alembic stamp``), en la transacción."""
    from alembic import command

    cfg = config_alembic()
    cfg.attributes["connection"] = con
    command.stamp(cfg, revision)


def _sql_adopcion(revision: str, crear_tabla: bool) -> str:
    """El SQL con que se registra ``revision`` al adoptar una base (para ``migrate --sql``)."""
    lineas = [
        "-- Adopción: la base no tiene alembic_version y su esquema es idéntico al de la",
        f"-- revisión {revision} de amauta. Se registra {revision} como aplicada sin ejecutarla;",
        "-- la tabla _prisma_migrations de Prisma no se toca.",
        "",
    ]
    if crear_tabla:
        lineas += [
            "CREATE TABLE alembic_version (",
            "    version_num VARCHAR(32) NOT NULL, ",
            "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)",
            ");",
            "",
        ]
    lineas += [f"INSERT INTO alembic_version (version_num) VALUES ('{revision}');", "", ""]
    return "\n".join(lineas)


def sql_migracion(objetivo: Objetivo | str, revision: str = "head", desde: str | None = None) -> str:
    """El SQL que aplicaría ``migrar`` (modo sin conexión de Alembic). No modifica la base.

    Si ``desde`` es None se lee la revisión actual de la base (solo lectura).
    """
    from alembic import command

    from sqlalchemy import inspect

    destino = _resolver(revision)
    adopcion = ""
    if desde is None:
        with conexion(objetivo, solo_lectura=True) as con:
            actual = revision_actual(con)
            _conocida(actual)
            if actual is None and tiene_tablas_del_diseno(con):
                actual = revision_por_esquema(con)
                adopcion = _sql_adopcion(actual, not inspect(con).has_table("alembic_version"))
    else:
        actual = _resolver(desde)
    _conocida(actual)
    salida = io.StringIO()
    cfg = config_alembic(como_objetivo(objetivo).url)
    cfg.attributes["salida"] = salida
    rango = f"{actual}:{destino or 'base'}" if actual else (destino or "base")
    if actual == destino:
        return adopcion
    command.upgrade(cfg, rango, sql=True)
    return adopcion + salida.getvalue()


# --- Revertir ----------------------------------------------------------------------------
@dataclass
class PlanReversion:
    actual: str | None
    destino: str | None
    deshacer: list[PasoMigracion]


def planificar_reversion(objetivo: Objetivo | str, pasos: int | None = None, revision: str | None = None) -> PlanReversion:
    """Qué migraciones se desharían (de la más nueva a la más vieja), sin tocar la base."""
    with conexion(objetivo, solo_lectura=True) as con:
        actual = revision_actual(con)
    _conocida(actual)
    if actual is None:
        raise ErrorMigracion("La base no tiene migraciones aplicadas: no hay nada que revertir.")
    aplicadas = _camino(actual, None)  # de la más vieja a la actual
    if revision is not None:
        destino = _resolver(revision)
        if destino is not None and destino not in {s.revision for s in aplicadas}:
            raise ErrorMigracion(
                f"La revisión '{destino}' no es anterior a la actual ('{actual}'): "
                "no hay nada que revertir hasta ella."
            )
    else:
        n = 1 if pasos is None else pasos
        if n < 1:
            raise ErrorMigracion("--pasos debe ser un número entero mayor o igual a 1.")
        if n > len(aplicadas):
            raise ErrorMigracion(
                f"Se pidieron {n} pasos pero la base tiene {len(aplicadas)} migraciones "
                "aplicadas. Use `--revision base` para deshacerlas todas."
            )
        idx = len(aplicadas) - n
        destino = aplicadas[idx - 1].revision if idx > 0 else None
    deshacer = list(reversed(_camino(actual, destino)))
    return PlanReversion(actual, destino, _pasos(deshacer))


def revertir(objetivo: Objetivo | str, plan: PlanReversion) -> PlanReversion:
    """Ejecuta un plan de reversión en una transacción, si la base sigue donde estaba."""
    from alembic import command

    with conexion(objetivo) as con:
        _bloquear(con, lambda _m: None)
        actual = revision_actual(con)
        if actual != plan.actual:
            raise ErrorMigracion(
                f"La base cambió de revisión mientras se confirmaba ('{plan.actual}' → "
                f"'{actual}'). Vuelva a ejecutar el comando."
            )
        cfg = config_alembic()
        cfg.attributes["connection"] = con
        command.downgrade(cfg, plan.destino or "base")
    return plan


# --- Estado e historial ----------------------------------------------------------------------
def version_servidor(con: Any) -> str:
    """La versión del servidor (PostgreSQL) o de la biblioteca (SQLite)."""
    from amauta_cli.db import cruda

    c = cruda(con)
    return c.d.version_servidor(c)


#: Las tablas de los modelos de Prisma, en el orden del diseño (``models.TABLAS_PRISMA``, que
#: ``tests/test_esquema_cabeza.py`` compara con esta lista): ``db estado`` no carga los modelos.
TABLAS_PRISMA = [
    "Usuario", "Perfil", "Categoria", "Curso", "Leccion", "Recurso", "Inscripcion", "Progreso",
    "Institucion", "Grupo", "GrupoEstudiante", "Asistencia", "Calificacion", "Comunicado",
]


def contar_filas(con: Any) -> dict[str, int]:
    """Filas de cada tabla de amauta, en una sola consulta (UNION ALL).

    ``con``: una conexión o sesión de SQLAlchemy, o una ``db.Cruda``.
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    existentes = set(c.d.tablas(c))
    tablas = [t for t in TABLAS_PRISMA if t in existentes]
    tablas += sorted(
        t
        for t in existentes
        if t not in tablas and t != "alembic_version" and not es_tabla_interna_fts5(t)
    )
    tablas = c.d.tablas_legibles(c, tablas)  # con credenciales de escuela, no todas
    if not tablas:
        return {}
    consulta = " UNION ALL ".join(
        "SELECT '{0}' AS tabla, count(*) AS filas FROM \"{0}\"".format(t.replace('"', '""'))
        for t in tablas
    )
    filas = dict(c.filas(consulta))
    return {t: int(filas[t]) for t in tablas}


def estado(objetivo: Objetivo | str) -> dict[str, Any]:
    """Motor, URL, versión, revisión, pendientes, entorno y filas: sin SQLAlchemy ni Alembic
    cuando la base está al día (``db estado`` es un comando de todos los días)."""
    from amauta_cli.db import conexion_cruda
    from amauta_cli.services import accesos, entorno

    objetivo = como_objetivo(objetivo)
    with conexion_cruda(objetivo, solo_lectura=True) as c:
        alcance = accesos.alcance(c)
        actual = revision_actual(c)
        version = version_servidor(c)
        filas = contar_filas(c)
        env = entorno.leer(c)
        prisma = migraciones_prisma(c) if TABLAS_DE_PRISMA & filas.keys() else None
    for t in TABLAS_DE_PRISMA:
        filas.pop(t, None)  # contabilidad de Prisma, no datos: va aparte, en "prisma"
    if actual == CABEZA:
        conocida, pendientes = True, []
    else:
        conocida = True
        try:
            _conocida(actual)
        except ErrorMigracion:
            conocida = False
        pendientes = [p.revision for p in _pasos(_camino(cabeza(), actual))] if conocida else []
    return {
        "motor": objetivo.motor,
        "url": objetivo.url_enmascarada,
        "origen_url": objetivo.origen,
        "base": objetivo.nombre_base or None,
        "version_servidor": version,
        "revision_actual": actual,
        "revision_cabeza": CABEZA,
        "al_dia": conocida and not pendientes,
        "revision_desconocida": not conocida,
        "pendientes": pendientes,
        "entorno": env,
        # Con credenciales de escuela: el rol y la institución a la que se limita la conexión.
        "limitada_a": (
            {"rol": alcance.rol, "institucion": alcance.institucion, "institucion_id": alcance.institucion_id}
            if alcance
            else None
        ),
        "tablas": filas,
        "prisma": prisma,
    }


def migraciones_prisma(con: Any) -> dict[str, Any]:
    """Lo que dice ``_prisma_migrations``: migraciones de Prisma aplicadas, la última y fallidas.

    ``con``: una conexión o sesión de SQLAlchemy, o una ``db.Cruda``.
    """
    from amauta_cli.db import cruda

    aplicadas, ultima, fallidas = cruda(con).uno(
        "SELECT count(*) FILTER (WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL), "
        "max(migration_name) FILTER (WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL), "
        "count(*) FILTER (WHERE finished_at IS NULL AND rolled_back_at IS NULL) "
        'FROM "_prisma_migrations"'
    )
    return {"aplicadas": int(aplicadas), "ultima": ultima, "fallidas": int(fallidas)}


def historial(objetivo: Objetivo | str | None) -> list[dict[str, Any]]:
    actual = None
    if objetivo is not None:
        with conexion(objetivo, solo_lectura=True) as con:
            actual = revision_actual(con)
    aplicadas = {s.revision for s in _camino(actual, None)} if actual else set()
    filas = []
    for sc in revisiones():
        filas.append(
            {
                "revision": sc.revision,
                "anterior": sc.down_revision,
                "descripcion": _titulo(sc),
                "aplicada": sc.revision in aplicadas,
                "actual": sc.revision == actual,
                "cabeza": sc.is_head,
            }
        )
    return filas


def exigir_al_dia(con: Any) -> None:
    """Los comandos de datos necesitan el esquema en la última revisión.

    El caso de todos los días (la base al día) es una consulta; Alembic se carga solo para
    explicar una base desactualizada o más nueva que el código.
    """
    actual = revision_actual(con)
    if actual == CABEZA:
        return
    _conocida(actual)
    if actual is None:
        if tiene_tablas_del_diseno(con):
            raise ErrorMigracion(
                "La base tiene las tablas de los modelos del diseño pero no la revisión de amauta "
                "(la creó otra herramienta, p. ej. `prisma migrate deploy`). Ejecute primero "
                "`amauta db migrate`: si su esquema es idéntico al de una revisión de amauta, la "
                "adopta (registra esa revisión) y la lleva a la última."
            )
        raise ErrorMigracion(
            "La base no tiene el esquema de amauta. Ejecute primero `amauta db migrate`."
        )
    if actual != cabeza():
        raise ErrorMigracion(
            f"La base está en la revisión '{actual}' y amauta necesita '{cabeza()}'. "
            "Ejecute `amauta db migrate` para aplicar las migraciones pendientes."
        )


# --- Deriva ------------------------------------------------------------------------------
def incluir_objeto(obj: Any, nombre: str | None, tipo: str, reflejado: bool, comparado: Any) -> bool:
    """Filtro de comparación de Alembic: ignora lo que se crea con SQL a mano."""
    if tipo == "index" and nombre in INDICES_SOLO_SQL:
        return False
    if tipo == "table" and nombre in TABLAS_DE_PRISMA:
        return False
    if tipo == "table" and es_tabla_propia_de_busqueda(nombre):
        return False
    if tipo == "table" and nombre in _tablas_solo_pg():
        return False  # propias de amauta, solo en PostgreSQL (fuera de ``metadata``)
    if tipo in ("index", "unique_constraint") and es_tabla_propia_de_busqueda(
        getattr(getattr(obj, "table", None), "name", None)
    ):
        return False
    # Las tablas de archivo (migración 0006; en SQLite, con prefijo) no son modelos.
    tabla = nombre if tipo == "table" else getattr(getattr(obj, "table", None), "name", "")
    if reflejado and (tabla or "").startswith("_amauta_archivo_"):
        return False
    return True


def _tablas_solo_pg() -> tuple[str, ...]:
    from amauta_cli.models import TABLAS_AMAUTA_SOLO_PG

    return TABLAS_AMAUTA_SOLO_PG


def verificar(objetivo: Objetivo | str) -> list[str]:
    """Las diferencias entre la base viva y los modelos; lista vacía si no hay deriva."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from amauta_cli.dialecto import dialecto
    from amauta_cli.models import metadata

    problemas: list[str] = []
    with conexion(objetivo, solo_lectura=True) as con:
        actual = revision_actual(con)
        _conocida(actual)
        pendientes = _camino(cabeza(), actual)
        if actual is None and tiene_tablas_del_diseno(con):
            problemas.append(
                "la base no tiene la revisión de amauta (falta alembic_version: la creó otra "
                "herramienta); `amauta db migrate` la adopta si su esquema es idéntico al de una "
                "revisión de amauta"
            )
        elif pendientes:
            problemas.append(
                "migraciones pendientes: "
                + ", ".join(s.revision for s in pendientes)
                + " (ejecute `amauta db migrate`)"
            )
        mc = MigrationContext.configure(
            con,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_object": incluir_objeto,
            },
        )
        for diff in compare_metadata(mc, metadata):
            problemas.extend(_describir(diff))
        from amauta_cli.services import accesos

        problemas.extend(accesos.verificar(con))  # seguridad por escuelas y auditoría (0005)
        insp = inspect(con)
        existentes = set(insp.get_table_names())
        # Acciones ON DELETE / ON UPDATE de las claves foráneas (Alembic no las compara).
        for tabla in metadata.sorted_tables:
            if tabla.name not in existentes:
                continue
            reflejadas = {fk["name"]: fk for fk in insp.get_foreign_keys(tabla.name)}
            for fkc in tabla.foreign_key_constraints:
                r = reflejadas.get(fkc.name)
                if r is None:
                    if dialecto(con).nombra_claves_foraneas:
                        problemas.append(f'falta la clave foránea "{fkc.name}" en "{tabla.name}"')
                    continue
                opciones = r.get("options", {})
                for accion, esperado in (("ondelete", fkc.ondelete), ("onupdate", fkc.onupdate)):
                    real = (opciones.get(accion) or "NO ACTION").upper()
                    if real != (esperado or "NO ACTION").upper():
                        problemas.append(
                            f'clave foránea "{fkc.name}": {accion.upper().replace("ON", "ON ")} '
                            f"es {real}, debería ser {esperado}"
                        )
        problemas.extend(dialecto(con).problemas_esquema(con, insp, existentes))
        if {"Asistencia", "Grupo", "Usuario"} <= existentes:
            problemas.extend(_asistencias_repetidas(con))
        if actual is not None and not pendientes and _aplicada("0004", actual):
            problemas.extend(_verificar_busqueda(con, existentes))
    return problemas


def _aplicada(rev: str, actual: str) -> bool:
    try:
        return rev in {s.revision for s in _camino(actual, None)}
    except Exception:  # noqa: BLE001 - revisión desconocida: ya se informó
        return False


def _verificar_busqueda(con: "Connection", existentes: set[str]) -> list[str]:
    """Los objetos propios de la búsqueda de cursos (migración 0004) y que estén al día."""
    from sqlalchemy import text

    from amauta_cli import textos
    from amauta_cli.dialecto import dialecto

    problemas: list[str] = []
    d = dialecto(con)
    esperado = BUSQUEDA_POR_MOTOR[d.nombre]
    for tabla in esperado["tablas"]:
        if tabla not in existentes:
            problemas.append(f'falta la tabla propia de amauta "{tabla}" (búsqueda de cursos)')
    if esperado.get("indices"):
        indices = d.indices(con)
        for tabla, nombres in esperado["indices"].items():
            for nombre in nombres:
                if nombre not in indices:
                    problemas.append(f'falta el índice GIN "{nombre}" en "{tabla}" (búsqueda de cursos)')
    if esperado.get("funciones"):
        funciones = d.funciones(con)
        for nombre in esperado["funciones"]:
            if nombre not in funciones:
                problemas.append(f'falta la función "{nombre}" (búsqueda de cursos)')
    disparadores = d.disparadores(con)
    for tabla, nombres in esperado["disparadores"].items():
        for nombre in nombres:
            if (tabla, nombre) not in disparadores:
                problemas.append(
                    f'falta (o está deshabilitado) el disparador "{nombre}" en "{tabla}" '
                    "(mantiene al día la búsqueda de cursos)"
                )
    if not problemas:
        sin_indice = con.execute(
            text(
                'SELECT count(*) FROM "Curso" c WHERE NOT EXISTS ('
                'SELECT 1 FROM "_amauta_busqueda_curso" b WHERE b."cursoId" = c."id")'
            )
        ).scalar()
        if sin_indice:
            problemas.append(
                f"{textos.plural(sin_indice, 'curso no está', 'cursos no están')} en el índice de búsqueda "
                "(ejecute `amauta cursos reindexar`)"
            )
    return problemas


def _asistencias_repetidas(con: "Connection", maximo: int = 50) -> list[str]:
    """Estudiantes con más de un registro de asistencia el mismo día (datos, no esquema).

    La clave única del diseño incluye la hora: la aplicación web (03:00 UTC) y una versión
    vieja de amauta (00:00) pueden haber dejado dos registros del mismo día.
    """
    from amauta_cli.services.asistencia import repetidos

    cuantos: dict[tuple[str, str, Any], int] = {}
    for r in repetidos(con):
        clave = (r.grupo, r.email, r.dia)
        cuantos[clave] = cuantos.get(clave, 0) + 1
    lineas = [
        f"asistencia repetida: {email} tiene {n} registros el {dia:%d/%m/%Y} en '{grupo}' "
        "(se unifican con `amauta asistencia unificar`, que conserva el más reciente)"
        for (grupo, email, dia), n in list(cuantos.items())[:maximo]
    ]
    if len(cuantos) > maximo:
        lineas.append(f"... y {len(cuantos) - maximo} días repetidos más")
    return lineas


def _describir(diff: Any) -> list[str]:
    """Un diff de Alembic en español."""
    if isinstance(diff, list):
        return [p for d in diff for p in _describir(d)]
    tipo = diff[0]
    if tipo == "add_table":
        return [f'falta la tabla "{diff[1].name}"']
    if tipo == "remove_table":
        return [f'la tabla "{diff[1].name}" sobra: no está en los modelos']
    if tipo == "add_column":
        return [f'falta la columna "{diff[2]}"."{diff[3].name}"']
    if tipo == "remove_column":
        return [f'la columna "{diff[2]}"."{diff[3].name}" sobra: no está en los modelos']
    if tipo == "add_index":
        ix = diff[1]
        return [f'falta el índice "{ix.name}" en "{ix.table.name}"']
    if tipo == "remove_index":
        ix = diff[1]
        return [f'el índice "{ix.name}" en "{ix.table.name}" sobra: no está en los modelos']
    if tipo in ("add_fk", "remove_fk"):
        fkc = diff[1]
        verbo = "falta" if tipo == "add_fk" else "sobra"
        return [f'{verbo} la clave foránea "{fkc.name}" en "{fkc.parent.name}"']
    if tipo in ("add_constraint", "remove_constraint"):
        c = diff[1]
        verbo = "falta" if tipo == "add_constraint" else "sobra"
        return [f'{verbo} la restricción "{c.name}" en "{c.table.name}"']
    if tipo == "modify_nullable":
        _, _, tabla, col, _kw, antes, despues = diff
        return [
            f'la columna "{tabla}"."{col}" es {"NULL" if antes else "NOT NULL"}, '
            f'debería ser {"NULL" if despues else "NOT NULL"}'
        ]
    if tipo == "modify_type":
        _, _, tabla, col, _kw, antes, despues = diff
        return [f'la columna "{tabla}"."{col}" es de tipo {antes}, debería ser {despues}']
    if tipo == "modify_default":
        _, _, tabla, col, _kw, antes, despues = diff
        a = getattr(antes, "arg", antes)
        b = getattr(despues, "arg", despues)
        return [
            f'la columna "{tabla}"."{col}" tiene DEFAULT {getattr(a, "text", a)}, '
            f"debería ser {getattr(b, 'text', b)}"
        ]
    return [f"diferencia: {diff!r}"]  # pragma: no cover
