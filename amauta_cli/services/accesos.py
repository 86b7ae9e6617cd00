"""Accesos por escuela: roles de PostgreSQL limitados a una institución (seguridad por filas).

La migración 0005 crea el rol de grupo ``amauta_escuela``, el mapa rol → institución
(``_amauta_acceso``, que los roles de escuela no pueden leer ni cambiar) y las políticas.
Aquí viven ``amauta accesos crear|listar|revocar|probar``, el *alcance* de una conexión
(¿es de una escuela? ¿de cuál?) y lo que los comandos de toda la base exigen.

La seguridad por filas existe solo en PostgreSQL: en SQLite (un archivo local) quien abre
el archivo ve todo, y estas funciones lo dicen con un mensaje claro.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from amauta_cli.errores import AmautaError, DatosInvalidos, NoEncontrado, OperacionRechazada

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.db import Cruda

#: El rol de grupo al que se aplican las políticas de escuela (del servidor entero).
ROL_GRUPO = "amauta_escuela"
#: Tablas que una escuela ve (limitadas a lo suyo), en el orden en que se informan.
TABLAS_ESCUELA = (
    "Institucion",
    "Grupo",
    "GrupoEstudiante",
    "Usuario",
    "Perfil",
    "Asistencia",
    "Calificacion",
    "Comunicado",
    "_amauta_auditoria",
)
_NOMBRE_ROL = re.compile(r"^[a-z][a-z0-9_]{2,62}$")


# --- Alcance de una conexión -----------------------------------------------------------------
@dataclass(frozen=True)
class Alcance:
    """Una conexión con credenciales de escuela: su rol y la institución a la que se limita."""

    rol: str
    institucion_id: str | None
    institucion: str | None


def _c(con: Any) -> "Cruda":
    """La conexión del driver (``db.Cruda``) de una ``Cruda``, sesión o conexión de SQLAlchemy."""
    from amauta_cli.db import cruda

    return cruda(con)


def es_postgresql(con: Any) -> bool:
    return _c(con).d.es_servidor


def alcance(con: Any) -> Alcance | None:
    """El alcance de la conexión, o None si no está limitada (administración, o SQLite)."""
    c = _c(con)
    if not c.d.es_servidor:
        return None
    rol, de_escuela = c.uno(
        "WITH RECURSIVE m(oid) AS ("
        "  SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user"
        "  UNION SELECT am.roleid FROM pg_catalog.pg_auth_members am JOIN m ON am.member = m.oid) "
        "SELECT current_user::text, "
        f"  EXISTS (SELECT 1 FROM m JOIN pg_catalog.pg_roles r ON r.oid = m.oid WHERE r.rolname = '{ROL_GRUPO}') "
        "  AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user)"
    )
    if not de_escuela:
        return None
    if not c.valor("SELECT pg_catalog.to_regprocedure('amauta_institucion_de(name)') IS NOT NULL"):
        return Alcance(rol, None, None)
    fila = c.uno(
        'SELECT i.id, i.nombre FROM "Institucion" i '
        "WHERE i.id = amauta_institucion_de(current_user)"
    )
    return Alcance(rol, fila[0] if fila else None, fila[1] if fila else None)


def institucion_de_la_escuela(con: Any) -> str | None:
    """Con credenciales de escuela, el id de su institución (None si no están limitadas).

    Los reportes de todo el distrito la usan como filtro explícito: las políticas ya limitan
    las filas, pero con el filtro el planificador recorre los índices de esa institución en
    lugar de todo el distrito (el mismo plan que el dueño con ``--institucion``)."""
    a = alcance(con)
    return a.institucion_id if a is not None else None


def exigir_administracion(con: Any, accion: str) -> None:
    """Rechaza ``accion`` (un comando de toda la base) con credenciales de escuela."""
    a = alcance(con)
    if a is None:
        return
    donde = f"de la institución '{a.institucion}'" if a.institucion else "de una escuela"
    raise OperacionRechazada(
        f"{accion} actúa sobre toda la base y necesita las credenciales de administración de "
        f"la plataforma; esta conexión usa el rol '{a.rol}', {donde}. No se hizo nada. "
        "Pídale la operación a quien administra la base del distrito."
    )


def _exigir_postgresql(con: Any) -> None:
    if not es_postgresql(con):
        raise OperacionRechazada(
            "Los accesos por escuela usan la seguridad por filas de PostgreSQL, que SQLite no "
            "tiene: en una base SQLite (un archivo local) quien puede abrir el archivo ve todos "
            "los datos. Use una base PostgreSQL (--db-url postgresql://...) para dar accesos "
            "limitados a cada escuela. La auditoría sí funciona en SQLite: `amauta auditoria` "
            "lista cada alta, cambio y baja de asistencia y calificaciones (con el usuario del "
            "sistema en las que hizo amauta)."
        )


def _migrada(con: Any) -> bool:
    return bool(_c(con).valor("SELECT pg_catalog.to_regclass('\"_amauta_acceso\"') IS NOT NULL"))


def _exigir_migrada(con: Any) -> None:
    if not _migrada(con):
        raise OperacionRechazada(
            "La base no tiene todavía la seguridad por escuelas (migración 0005). "
            "Ejecute `amauta db migrate` y vuelva a intentarlo."
        )


def _puede_crear_roles(con: Any) -> tuple[str, bool]:
    return tuple(
        _c(con).uno(
            "SELECT current_user::text, rolsuper OR rolcreaterole FROM pg_catalog.pg_roles "
            "WHERE rolname = current_user"
        )
    )  # type: ignore[return-value]


def _exigir_crear_roles(con: Any, accion: str) -> None:
    yo, puede = _puede_crear_roles(con)
    if not puede:
        raise OperacionRechazada(
            f"{accion} necesita un rol que pueda crear roles en el servidor, y '{yo}' no puede "
            "(le falta el atributo CREATEROLE). No se hizo nada. Conéctese con el rol dueño de "
            f"la base si tiene CREATEROLE, o pídale a quien administra el servidor "
            f"`ALTER ROLE {yo} CREATEROLE;`."
        )


def comprobar(con: Any, accion: str) -> None:
    """Lo que todo ``amauta accesos`` exige: PostgreSQL, migrado, credenciales de administración."""
    _preparar(con, accion)


def _preparar(con: Any, accion: str) -> None:
    _exigir_postgresql(con)
    exigir_administracion(con, accion)
    _exigir_migrada(con)


# --- Accesos ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Acceso:
    rol: str
    institucion_id: str
    institucion: str
    creado: datetime
    password_cambiada: datetime | None
    creado_por: str | None
    #: El rol existe en este servidor (tras restaurar en otro servidor, puede faltar).
    existe: bool
    puede_entrar: bool


_SQL_ACCESOS = (
    'SELECT a."rol", a."institucionId", i."nombre", a."createdAt", a."passwordCambiadaEn", '
    'a."creadoPor", r.rolname IS NOT NULL, coalesce(r.rolcanlogin, false) '
    'FROM "_amauta_acceso" a JOIN "Institucion" i ON i."id" = a."institucionId" '
    "LEFT JOIN pg_catalog.pg_roles r ON r.rolname = a.\"rol\" "
)


def _acceso(fila: Any) -> Acceso:
    return Acceso(*fila)


def _validar_nombre(rol: str) -> str:
    nombre = rol.strip()
    if not _NOMBRE_ROL.match(nombre) or nombre.startswith("pg_") or nombre == ROL_GRUPO:
        raise DatosInvalidos(
            f"--rol: '{rol}' no sirve como nombre de rol. Use de 3 a 63 caracteres: minúsculas "
            "sin acentos, dígitos y guion bajo, empezando por una letra (p. ej. escuela42_direccion); "
            f"no puede empezar con pg_ ni ser '{ROL_GRUPO}'."
        )
    return nombre


def _rol_existe(con: Any, rol: str) -> bool:
    return bool(_c(con).valor("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r)", r=rol))


def _ddl(con: Any, plantilla: str, *identificadores: str, literal: str | None = None) -> Any:
    """Ejecuta una sentencia (DDL) con identificadores y un literal citados por psycopg, tal
    cual: sin pasar por los parámetros ``:nombre`` (un verificador SCRAM tiene ``:`` y ``$``)."""
    from psycopg import sql

    c = _c(con)
    partes: dict[str, Any] = {f"i{k}": sql.Identifier(v) for k, v in enumerate(identificadores)}
    if literal is not None:
        partes["lit"] = sql.Literal(literal)
    cur = c.dbapi.cursor()
    try:
        cur.execute(sql.SQL(plantilla).format(**partes))
        return cur.fetchone() if cur.description else None
    finally:
        cur.close()


def comprobar_crear(con: Any, rol: str) -> str:
    """Lo que ``crear`` exige antes de pedir la contraseña: PostgreSQL migrado, credenciales de
    administración que puedan crear roles y un nombre de rol válido. Devuelve el nombre."""
    _preparar(con, "`amauta accesos crear`")
    nombre = _validar_nombre(rol)
    _exigir_crear_roles(con, "`amauta accesos crear`")
    return nombre


def _acceso_de(con: Any, rol: str) -> Acceso | None:
    fila = _c(con).uno(_SQL_ACCESOS + 'WHERE a."rol" = :r', r=rol)
    return _acceso(fila) if fila is not None else None


def crear(con: Any, institucion: str, rol: str, password: str) -> Acceso:
    """Crea el rol LOGIN ``rol`` (miembro de ``amauta_escuela``) limitado a ``institucion``.

    La contraseña viaja al servidor como verificador SCRAM-SHA-256, nunca en claro. Si el
    rol figuraba en el mapa pero no existe en este servidor (una base restaurada en otro),
    se vuelve a crear con la contraseña nueva.
    """
    from amauta_cli.ids import ahora
    from amauta_cli.seguridad import validar_password, verificador_scram
    from amauta_cli.services.comun import institucion_por_nombre

    c = _c(con)
    nombre = comprobar_crear(c, rol)
    validar_password(password)
    inst_id, inst_nombre = institucion_por_nombre(c, institucion)
    previo = _acceso_de(c, nombre)
    if _rol_existe(c, nombre):
        if previo is not None:
            raise DatosInvalidos(
                f"El rol '{nombre}' ya tiene acceso a '{previo.institucion}'. Para darle otra contraseña o "
                f"cambiarle la institución, revóquelo (`amauta accesos revocar {nombre}`) y vuelva a crearlo."
            )
        raise DatosInvalidos(
            f"Ya existe un rol '{nombre}' en el servidor (los roles son del servidor entero, no "
            "de una base). Elija otro nombre para este acceso."
        )
    if previo is not None and previo.institucion_id != inst_id:
        raise DatosInvalidos(
            f"El rol '{nombre}' figura en esta base con acceso a '{previo.institucion}', no a "
            f"'{inst_nombre}'. Revóquelo primero con `amauta accesos revocar {nombre}`."
        )
    _ddl(
        c,
        "CREATE ROLE {i0} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT "
        "PASSWORD {lit} IN ROLE {i1}",
        nombre,
        ROL_GRUPO,
        literal=verificador_scram(password),
    )
    c.ejecutar(
        'INSERT INTO "_amauta_acceso" ("rol", "institucionId", "createdAt", "passwordCambiadaEn", "creadoPor") '
        "VALUES (:r, :i, :t, :t, current_user) "
        'ON CONFLICT ("rol") DO UPDATE SET "passwordCambiadaEn" = EXCLUDED."passwordCambiadaEn", '
        '"creadoPor" = EXCLUDED."creadoPor"',
        r=nombre,
        i=inst_id,
        t=ahora(),
    )
    acceso = _acceso_de(c, nombre)
    assert acceso is not None
    return acceso


def listar(con: Any) -> list[Acceso]:
    """Los accesos de esta base, por institución (orden alfabético español) y rol."""
    from amauta_cli.textos import clave_orden

    c = _c(con)
    _preparar(c, "`amauta accesos listar`")
    accesos = [_acceso(f) for f in c.filas(_SQL_ACCESOS)]
    return sorted(accesos, key=lambda a: (clave_orden(a.institucion), a.rol))


def _buscar(con: Any, rol: str) -> Acceso:
    acceso = _acceso_de(con, rol.strip())
    if acceso is None:
        raise NoEncontrado(
            f"No hay un acceso de escuela con el rol '{rol.strip()}' en esta base. "
            "Vea los accesos con `amauta accesos listar`."
        )
    return acceso


@dataclass(frozen=True)
class Revocacion:
    acceso: Acceso
    #: El rol se borró del servidor (False si ya no existía).
    rol_borrado: bool


def revocar(con: Any, rol: str) -> Revocacion:
    """Quita el acceso (el mapa) y borra el rol del servidor, en una transacción."""
    c = _c(con)
    _preparar(c, "`amauta accesos revocar`")
    acc = _buscar(c, rol)
    if acc.existe:
        _exigir_crear_roles(c, "`amauta accesos revocar`")
    c.ejecutar('DELETE FROM "_amauta_acceso" WHERE "rol" = :r', r=acc.rol)
    if not acc.existe:
        return Revocacion(acc, False)
    c.ejecutar("SAVEPOINT amauta_revocar")
    try:
        _ddl(c, "DROP ROLE {i0}", acc.rol)
    except Exception as exc:  # noqa: BLE001 - se explica y se deshace todo
        c.ejecutar("ROLLBACK TO SAVEPOINT amauta_revocar")
        detalle = " ".join(str(getattr(exc, "orig", exc)).strip().splitlines())
        raise OperacionRechazada(
            f"No se pudo borrar el rol '{acc.rol}' del servidor: {detalle}. "
            "Suele pasar cuando el rol tiene permisos u objetos en otra base del mismo servidor. "
            "No se cambió nada: el acceso sigue vigente."
        ) from None
    return Revocacion(acc, True)


@dataclass(frozen=True)
class Prueba:
    acceso: Acceso
    #: (tabla, filas que ve el rol, filas en total)
    tablas: list[tuple[str, int, int]]


def _contar(con: Any) -> dict[str, int]:
    consulta = " UNION ALL ".join(
        f"SELECT '{t}' AS tabla, count(*) AS n FROM \"{t}\"" for t in TABLAS_ESCUELA
    )
    return {t: int(n) for t, n in _c(con).filas(consulta)}


def probar(con: Any, rol: str) -> Prueba:
    """Lo que ve el rol ``rol`` (filas por tabla), consultando COMO ese rol.

    En un punto de guardado que se deshace al final: ``SET LOCAL ROLE`` (y, si la sesión no
    es miembro de ese rol, un ``GRANT`` temporal que también se deshace).
    """
    c = _c(con)
    _preparar(c, "`amauta accesos probar`")
    acc = _buscar(c, rol)
    if not acc.existe:
        raise OperacionRechazada(
            f"El rol '{acc.rol}' tiene acceso a '{acc.institucion}' en esta base pero no existe en "
            f"este servidor. Recréelo con `amauta accesos crear --institucion \"{acc.institucion}\" "
            f"--rol {acc.rol}`."
        )
    totales = _contar(c)
    miembro = c.valor("SELECT pg_catalog.pg_has_role(current_user, CAST(:r AS name), 'MEMBER')", r=acc.rol)
    c.ejecutar("SAVEPOINT amauta_probar")
    try:
        if not miembro:
            _exigir_crear_roles(c, "`amauta accesos probar`")
            _ddl(c, "GRANT {i0} TO CURRENT_USER", acc.rol)
        _ddl(c, "SET LOCAL ROLE {i0}", acc.rol)
        visibles = _contar(c)
    finally:
        c.ejecutar("ROLLBACK TO SAVEPOINT amauta_probar")
    return Prueba(acc, [(t, visibles[t], totales[t]) for t in TABLAS_ESCUELA])


# --- Verificación -----------------------------------------------------------------------------
#: Tablas con seguridad por filas y sus dos políticas (migración 0005).
TABLAS_RLS = (*TABLAS_ESCUELA[:-1], "_amauta_vinculo", "_amauta_auditoria")
FUNCIONES = (
    "amauta_institucion_de(name)",
    "amauta_auditar()",
    "amauta_vincular()",
    "amauta_alta_estudiante(text,text,text,text,text,text,text)",
)
#: Lo que el rol de grupo puede hacer en cada tabla del esquema (lo que da
#: ``amauta_conceder_permisos()``); en las demás, nada.
PERMISOS_ESCUELA: dict[str, frozenset[str]] = {
    "alembic_version": frozenset({"SELECT"}),
    "_amauta_meta": frozenset({"SELECT"}),
    "Institucion": frozenset({"SELECT", "UPDATE"}),
    "Grupo": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "GrupoEstudiante": frozenset({"SELECT", "INSERT", "DELETE"}),
    "Usuario": frozenset({"SELECT"}),
    "Perfil": frozenset({"SELECT"}),
    "Asistencia": frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"}),
    "Calificacion": frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"}),
    "Comunicado": frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"}),
    "_amauta_vinculo": frozenset({"SELECT"}),
    "_amauta_auditoria": frozenset({"SELECT"}),
}
#: Las funciones que el rol de grupo ejecuta; ninguna de la 0005 la ejecuta PUBLIC.
EJECUTA_ESCUELA = ("amauta_institucion_de(name)", "amauta_alta_estudiante(text,text,text,text,text,text,text)")
FUNCIONES_PRIVADAS = (*FUNCIONES, "amauta_conceder_permisos()")
SECUENCIA_AUDITORIA = "_amauta_auditoria_id_seq"


def verificar(con: Any) -> list[str]:
    """Para ``amauta db verificar``: que la seguridad por escuelas y la auditoría sigan en pie
    (RLS activa, las dos políticas de cada tabla, las funciones SECURITY DEFINER con
    search_path fijo, los disparadores de auditoría y el rol de grupo). Vacía en SQLite o
    antes de la migración 0005."""
    c = _c(con)
    if not c.d.es_servidor or not _migrada(c):
        return []
    problemas: list[str] = []
    filas = c.filas(
        "SELECT c.relname::text, c.relrowsecurity, "
        "  array(SELECT p.polname::text || ':' || CASE WHEN p.polpermissive THEN 'P' ELSE 'R' END || ':' || "
        "    CASE WHEN p.polroles = '{0}' THEN 'public' ELSE "
        "      (SELECT string_agg(r.rolname::text, ',' ORDER BY r.rolname) FROM pg_catalog.pg_roles r "
        "       WHERE r.oid = ANY (p.polroles)) END "
        "    FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid ORDER BY 1) "
        "FROM pg_catalog.pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relname = ANY(:tablas)",
        tablas=list(TABLAS_RLS),
    )
    por_tabla = {f[0]: (f[1], {x.split(":", 1)[0]: x.split(":", 1)[1] for x in f[2]}) for f in filas}
    esperadas = {"amauta_todos": "P:public", ROL_GRUPO: f"R:{ROL_GRUPO}"}
    for t in TABLAS_RLS:
        activa, politicas = por_tabla.get(t, (False, {}))
        if not activa:
            problemas.append(f'la seguridad por filas está apagada en "{t}" (migración 0005)')
        for p, forma in esperadas.items():
            if p not in politicas:
                problemas.append(f'falta la política "{p}" en "{t}"')
            elif politicas[p] != forma:
                tipo = "PERMISSIVE para todos (PUBLIC)" if forma.startswith("P") else f"RESTRICTIVE para '{ROL_GRUPO}'"
                problemas.append(f'la política "{p}" en "{t}" debe ser {tipo}')
    # El archivo (0006): las tablas que una escuela lee, con la misma seguridad que las vivas.
    if c.valor("SELECT pg_catalog.to_regnamespace('archivo') IS NOT NULL"):
        archivo = {
            f[0]: (f[1], set(f[2]))
            for f in c.filas(
                "SELECT c.relname, c.relrowsecurity, "
                "  array(SELECT p.polname::text FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid ORDER BY 1) "
                "FROM pg_catalog.pg_class c WHERE c.relnamespace = 'archivo'::regnamespace "
                "AND c.relname = ANY(:tablas)",
                tablas=["Asistencia", "Calificacion"],
            )
        }
        for t in ("Asistencia", "Calificacion"):
            activa, politicas = archivo.get(t, (False, set()))
            if not activa:
                problemas.append(f'la seguridad por filas está apagada en archivo."{t}" (migración 0006)')
            for p in sorted({"amauta_todos", ROL_GRUPO} - politicas):
                problemas.append(f'falta la política "{p}" en archivo."{t}"')
    for f in FUNCIONES:
        fila = c.uno(
            "SELECT p.prosecdef, coalesce(array_to_string(p.proconfig, ','), '') "
            "FROM pg_catalog.pg_proc p WHERE p.oid = pg_catalog.to_regprocedure(:f)",
            f=f,
        )
        if fila is None:
            problemas.append(f"falta la función {f}")
        elif not fila[0] or "search_path=" not in fila[1]:
            problemas.append(f"la función {f} debe ser SECURITY DEFINER con search_path fijo")
    disparadores = {
        (t, n)
        for t, n in c.filas(
            "SELECT c.relname, g.tgname FROM pg_catalog.pg_trigger g "
            "JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND g.tgenabled <> 'D'"
        )
    }
    for t in ("Asistencia", "Calificacion"):
        for op in ("insert", "update", "delete"):
            if (t, f"amauta_auditar_{op}") not in disparadores:
                problemas.append(f'falta (o está apagado) el disparador de auditoría "amauta_auditar_{op}" en "{t}"')
    dueno_seq = c.uno(
        "SELECT t.relname::text, a.attname::text FROM pg_catalog.pg_class s "
        "LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass "
        "  AND d.objid = s.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'a' "
        "LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid "
        "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
        "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace AND s.relname = :s",
        s=SECUENCIA_AUDITORIA,
    )
    if dueno_seq is None:
        problemas.append(
            f'falta la secuencia "{SECUENCIA_AUDITORIA}" de la auditoría: sin ella falla toda '
            "escritura de asistencia y calificaciones"
        )
    elif tuple(dueno_seq) != ("_amauta_auditoria", "id"):
        problemas.append(f'la secuencia "{SECUENCIA_AUDITORIA}" debe pertenecer a "_amauta_auditoria"."id"')
    if not _rol_existe(c, ROL_GRUPO):
        problemas.append(f"falta el rol de grupo '{ROL_GRUPO}' en el servidor")
        return problemas
    problemas.extend(_verificar_permisos(c))
    return problemas


def _verificar_permisos(c: "Cruda") -> list[str]:
    """Los permisos del rol de grupo (ni uno de menos: una escuela no podría trabajar; ni uno
    de más: vería o cambiaría lo que no debe) y las funciones que PUBLIC no ejecuta."""
    problemas: list[str] = []
    tiene: dict[str, set[str]] = {}
    for tabla, privilegio in c.filas(
        "SELECT c.relname::text, a.privilege_type::text FROM pg_catalog.pg_class c, "
        "LATERAL pg_catalog.aclexplode(c.relacl) a "
        "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
        "AND a.grantee = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = :g)",
        g=ROL_GRUPO,
    ):
        tiene.setdefault(tabla, set()).add(privilegio)
    for tabla in sorted(set(PERMISOS_ESCUELA) | set(tiene)):
        debe, hay = PERMISOS_ESCUELA.get(tabla, frozenset()), tiene.get(tabla, set())
        for p in sorted(debe - hay):
            problemas.append(f"falta el permiso {p} del rol '{ROL_GRUPO}' sobre \"{tabla}\"")
        for p in sorted(hay - debe):
            problemas.append(f"sobra el permiso {p} del rol '{ROL_GRUPO}' sobre \"{tabla}\" (no es de una escuela)")
    if not c.valor(
        "SELECT pg_catalog.has_schema_privilege(:g, current_schema(), 'USAGE')", g=ROL_GRUPO
    ):
        problemas.append(f"falta el permiso USAGE del rol '{ROL_GRUPO}' sobre el esquema")
    for f in FUNCIONES_PRIVADAS:
        fila = c.uno(
            "SELECT pg_catalog.has_function_privilege(:g, p.oid, 'EXECUTE'), "
            "  EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a "
            "          WHERE a.grantee = 0) "
            "FROM pg_catalog.pg_proc p WHERE p.oid = pg_catalog.to_regprocedure(:f)",
            g=ROL_GRUPO,
            f=f,
        )
        if fila is None:
            if f not in FUNCIONES:  # las de FUNCIONES ya se informaron
                problemas.append(f"falta la función {f}")
            continue
        ejecuta, publica = fila
        if publica:
            problemas.append(f"la función {f} la puede ejecutar cualquier rol (PUBLIC): debería estar revocada")
        elif f in EJECUTA_ESCUELA and not ejecuta:
            problemas.append(f"falta el permiso EXECUTE del rol '{ROL_GRUPO}' sobre la función {f}")
    if problemas:
        problemas[0] += (
            " (los permisos del rol de grupo se vuelven a dar con "
            "`SELECT amauta_conceder_permisos();` como dueño de la base)"
        )
    return problemas


# --- Restauraciones ------------------------------------------------------------------------------
def asegurar_rol_grupo(con: Any) -> None:
    """Antes de restaurar un respaldo con políticas: el rol de grupo debe existir en el servidor."""
    c = _c(con)
    if not c.d.es_servidor or _rol_existe(c, ROL_GRUPO):
        return
    yo, puede = _puede_crear_roles(c)
    if not puede:
        raise OperacionRechazada(
            f"El respaldo trae la seguridad por escuelas, que necesita el rol de grupo "
            f"'{ROL_GRUPO}', y este servidor no lo tiene; '{yo}' no puede crearlo (le falta "
            "CREATEROLE). No se hizo nada. Pídale a quien administra el servidor "
            f"`CREATE ROLE {ROL_GRUPO} NOLOGIN;` y vuelva a restaurar."
        )
    c.ejecutar(f"CREATE ROLE {ROL_GRUPO} NOLOGIN")


def tras_restaurar(con: Any) -> list[str]:
    """Después de restaurar: vuelve a dar los permisos del rol de grupo (los respaldos se hacen
    sin privilegios) y devuelve un aviso por los roles de escuela que faltan en el servidor."""
    c = _c(con)
    if not c.d.es_servidor or not _migrada(c):
        return []
    from amauta_cli.textos import plural

    c.valor("SELECT amauta_conceder_permisos()::text")
    faltan = [a for a in (_acceso(f) for f in c.filas(_SQL_ACCESOS + 'ORDER BY i."nombre", a."rol"')) if not a.existe]
    if not faltan:
        return []
    lista = ", ".join(f"{a.rol} ({a.institucion})" for a in faltan)
    ejemplos = "; ".join(
        f"`amauta accesos crear --institucion \"{a.institucion}\" --rol {a.rol}`" for a in faltan[:3]
    )
    return [
        f"Faltan en este servidor {plural(len(faltan), 'rol')} de escuela que la base restaurada nombra: "
        f"{lista}. Los roles son del servidor, no de la base, y no viajan en el respaldo. "
        f"Recréelos (cada uno con una contraseña nueva) con {ejemplos}"
        + ("; y así con los demás." if len(faltan) > 3 else ".")
    ]


# --- Errores de la base, en español ---------------------------------------------------------
_TABLA = re.compile(r'(?:table|relation) "?([^" ]+)"?')


def traducir_error(exc: BaseException) -> AmautaError | None:
    """Errores de permisos y de las funciones de la 0005 como mensajes para el usuario."""
    orig = getattr(exc, "orig", None)
    estado = getattr(orig, "sqlstate", None)
    if orig is None or estado is None:
        return None
    texto = str(getattr(getattr(orig, "diag", None), "message_primary", None) or orig).strip()
    if texto.startswith("amauta: "):
        mensaje = texto[len("amauta: "):]
        mensaje = mensaje[0].upper() + mensaje[1:]
        if estado == "P0002":
            return NoEncontrado(mensaje + ".")
        if estado in ("22023", "23505"):
            return DatosInvalidos(mensaje + ". No se cambió nada.")
        return OperacionRechazada(mensaje + ". No se cambió nada.")
    if estado != "42501":
        return None
    m = _TABLA.search(texto)
    tabla = m.group(1) if m else "?"
    if "row-level security" in texto:
        return OperacionRechazada(
            f"Estas credenciales no pueden escribir esa fila en '{tabla}': pertenece (o pasaría a "
            "pertenecer) a otra institución, o nombra a alguien que no es de la suya. "
            "No se cambió nada."
        )
    if m is None:
        return None  # otro permiso (crear una base, un esquema...): lo explica fallas.py
    alta = (
        " Para dar de alta un estudiante nuevo en uno de sus grupos, la escuela usa la función "
        "amauta_alta_estudiante(...) de la base (ver el README, accesos)."
        if tabla in ("Usuario", "Perfil")
        else ""
    )
    return OperacionRechazada(
        f"Estas credenciales no tienen permiso sobre la tabla '{tabla}'. Con las credenciales "
        "de una escuela, amauta trabaja con sus grupos, su asistencia, sus calificaciones y sus "
        "comunicados; lo demás (cursos, categorías, otras instituciones...) lo hace quien "
        f"administra la base del distrito.{alta} No se cambió nada."
    )
