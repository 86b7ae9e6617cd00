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
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

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


def es_postgresql(con: "Connection") -> bool:
    from amauta_cli.dialecto import dialecto

    return dialecto(con).es_servidor


def alcance(con: "Connection") -> Alcance | None:
    """El alcance de la conexión, o None si no está limitada (administración, o SQLite)."""
    if not es_postgresql(con):
        return None
    rol, de_escuela = con.exec_driver_sql(
        "WITH RECURSIVE m(oid) AS ("
        "  SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user"
        "  UNION SELECT am.roleid FROM pg_catalog.pg_auth_members am JOIN m ON am.member = m.oid) "
        "SELECT current_user::text, "
        f"  EXISTS (SELECT 1 FROM m JOIN pg_catalog.pg_roles r ON r.oid = m.oid WHERE r.rolname = '{ROL_GRUPO}') "
        "  AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user)"
    ).one()
    if not de_escuela:
        return None
    existe = con.exec_driver_sql(
        "SELECT pg_catalog.to_regprocedure('amauta_institucion_de(name)') IS NOT NULL"
    ).scalar()
    if not existe:
        return Alcance(rol, None, None)
    fila = con.exec_driver_sql(
        'SELECT i.id, i.nombre FROM "Institucion" i '
        "WHERE i.id = amauta_institucion_de(current_user)"
    ).first()
    return Alcance(rol, fila[0] if fila else None, fila[1] if fila else None)


def exigir_administracion(con: "Connection", accion: str) -> None:
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


def _exigir_postgresql(con: "Connection") -> None:
    if not es_postgresql(con):
        raise OperacionRechazada(
            "Los accesos por escuela usan la seguridad por filas de PostgreSQL, que SQLite no "
            "tiene: en una base SQLite (un archivo local) quien puede abrir el archivo ve todos "
            "los datos. Use una base PostgreSQL (--db-url postgresql://...) para dar accesos "
            "limitados a cada escuela."
        )


def _exigir_migrada(con: "Connection") -> None:
    existe = con.exec_driver_sql("SELECT pg_catalog.to_regclass('\"_amauta_acceso\"') IS NOT NULL").scalar()
    if not existe:
        raise OperacionRechazada(
            "La base no tiene todavía la seguridad por escuelas (migración 0005). "
            "Ejecute `amauta db migrate` y vuelva a intentarlo."
        )


def _puede_crear_roles(con: "Connection") -> tuple[str, bool]:
    return tuple(
        con.exec_driver_sql(
            "SELECT current_user::text, rolsuper OR rolcreaterole FROM pg_catalog.pg_roles "
            "WHERE rolname = current_user"
        ).one()
    )  # type: ignore[return-value]


def _exigir_crear_roles(con: "Connection", accion: str) -> None:
    yo, puede = _puede_crear_roles(con)
    if not puede:
        raise OperacionRechazada(
            f"{accion} necesita un rol que pueda crear roles en el servidor, y '{yo}' no puede "
            "(le falta el atributo CREATEROLE). No se hizo nada. Conéctese con el rol dueño de "
            f"la base si tiene CREATEROLE, o pídale a quien administra el servidor "
            f"`ALTER ROLE {yo} CREATEROLE;`."
        )


def comprobar(con: "Connection", accion: str) -> None:
    """Lo que todo ``amauta accesos`` exige: PostgreSQL, migrado, credenciales de administración."""
    _preparar(con, accion)


def _preparar(con: "Connection", accion: str) -> None:
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


def _rol_existe(con: "Connection", rol: str) -> bool:
    from sqlalchemy import text

    return bool(
        con.execute(text("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r)"), {"r": rol}).scalar()
    )


def _sql(con: "Connection", plantilla: str, *identificadores: str, literal: str | None = None) -> str:
    """Una sentencia DDL con identificadores (y un literal) citados por psycopg."""
    from psycopg import sql

    crudo = con.connection.driver_connection
    partes: dict[str, Any] = {f"i{k}": sql.Identifier(v) for k, v in enumerate(identificadores)}
    if literal is not None:
        partes["lit"] = sql.Literal(literal)
    return sql.SQL(plantilla).format(**partes).as_string(crudo)


def comprobar_crear(con: "Connection", rol: str) -> str:
    """Lo que ``crear`` exige antes de pedir la contraseña: PostgreSQL migrado, credenciales de
    administración que puedan crear roles y un nombre de rol válido. Devuelve el nombre."""
    _preparar(con, "`amauta accesos crear`")
    nombre = _validar_nombre(rol)
    _exigir_crear_roles(con, "`amauta accesos crear`")
    return nombre


def crear(s: "Session", institucion: str, rol: str, password: str) -> Acceso:
    """Crea el rol LOGIN ``rol`` (miembro de ``amauta_escuela``) limitado a ``institucion``.

    La contraseña viaja al servidor como verificador SCRAM-SHA-256, nunca en claro. Si el
    rol figuraba en el mapa pero no existe en este servidor (una base restaurada en otro),
    se vuelve a crear con la contraseña nueva.
    """
    from sqlalchemy import text

    from amauta_cli.ids import ahora
    from amauta_cli.seguridad import validar_password, verificador_scram
    from amauta_cli.services.comun import buscar_institucion

    con = s.connection()
    nombre = comprobar_crear(con, rol)
    validar_password(password)
    inst = buscar_institucion(s, institucion)
    previo = con.execute(text(_SQL_ACCESOS + 'WHERE a."rol" = :r'), {"r": nombre}).first()
    if _rol_existe(con, nombre):
        if previo is not None:
            raise DatosInvalidos(
                f"El rol '{nombre}' ya tiene acceso a '{previo[2]}'. Para darle otra contraseña o "
                f"cambiarle la institución, revóquelo (`amauta accesos revocar {nombre}`) y vuelva a crearlo."
            )
        raise DatosInvalidos(
            f"Ya existe un rol '{nombre}' en el servidor (los roles son del servidor entero, no "
            "de una base). Elija otro nombre para este acceso."
        )
    if previo is not None and previo[1] != inst.id:
        raise DatosInvalidos(
            f"El rol '{nombre}' figura en esta base con acceso a '{previo[2]}', no a '{inst.nombre}'. "
            f"Revóquelo primero con `amauta accesos revocar {nombre}`."
        )
    con.exec_driver_sql(
        _sql(
            con,
            "CREATE ROLE {i0} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT "
            "PASSWORD {lit} IN ROLE {i1}",
            nombre,
            ROL_GRUPO,
            literal=verificador_scram(password),
        )
    )
    momento = ahora()
    con.execute(
        text(
            'INSERT INTO "_amauta_acceso" ("rol", "institucionId", "createdAt", "passwordCambiadaEn", "creadoPor") '
            "VALUES (:r, :i, :t, :t, current_user) "
            'ON CONFLICT ("rol") DO UPDATE SET "passwordCambiadaEn" = EXCLUDED."passwordCambiadaEn", '
            '"creadoPor" = EXCLUDED."creadoPor"'
        ),
        {"r": nombre, "i": inst.id, "t": momento},
    )
    return _acceso(con.execute(text(_SQL_ACCESOS + 'WHERE a."rol" = :r'), {"r": nombre}).one())


def listar(con: "Connection") -> list[Acceso]:
    """Los accesos de esta base, por institución (orden alfabético español) y rol."""
    from amauta_cli.textos import clave_orden

    _preparar(con, "`amauta accesos listar`")
    accesos = [_acceso(f) for f in con.exec_driver_sql(_SQL_ACCESOS)]
    return sorted(accesos, key=lambda a: (clave_orden(a.institucion), a.rol))


def _buscar(con: "Connection", rol: str) -> Acceso:
    from sqlalchemy import text

    fila = con.execute(text(_SQL_ACCESOS + 'WHERE a."rol" = :r'), {"r": rol.strip()}).first()
    if fila is None:
        raise NoEncontrado(
            f"No hay un acceso de escuela con el rol '{rol.strip()}' en esta base. "
            "Vea los accesos con `amauta accesos listar`."
        )
    return _acceso(fila)


@dataclass(frozen=True)
class Revocacion:
    acceso: Acceso
    #: El rol se borró del servidor (False si ya no existía).
    rol_borrado: bool


def revocar(con: "Connection", rol: str) -> Revocacion:
    """Quita el acceso (el mapa) y borra el rol del servidor, en una transacción."""
    from sqlalchemy import text

    _preparar(con, "`amauta accesos revocar`")
    acc = _buscar(con, rol)
    if acc.existe:
        _exigir_crear_roles(con, "`amauta accesos revocar`")
    con.execute(text('DELETE FROM "_amauta_acceso" WHERE "rol" = :r'), {"r": acc.rol})
    if not acc.existe:
        return Revocacion(acc, False)
    try:
        with con.begin_nested():
            con.exec_driver_sql(_sql(con, "DROP ROLE {i0}", acc.rol))
    except Exception as exc:  # noqa: BLE001 - se explica y se deshace todo
        detalle = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise OperacionRechazada(
            f"No se pudo borrar el rol '{acc.rol}' del servidor: {' '.join(detalle)}. "
            "Suele pasar cuando el rol tiene permisos u objetos en otra base del mismo servidor. "
            "No se cambió nada: el acceso sigue vigente."
        ) from None
    return Revocacion(acc, True)


@dataclass(frozen=True)
class Prueba:
    acceso: Acceso
    #: (tabla, filas que ve el rol, filas en total)
    tablas: list[tuple[str, int, int]]


def _contar(con: "Connection") -> dict[str, int]:
    consulta = " UNION ALL ".join(
        f"SELECT '{t}' AS tabla, count(*) AS n FROM \"{t}\"" for t in TABLAS_ESCUELA
    )
    return {t: int(n) for t, n in con.exec_driver_sql(consulta)}


def probar(con: "Connection", rol: str) -> Prueba:
    """Lo que ve el rol ``rol`` (filas por tabla), consultando COMO ese rol.

    En un punto de guardado que se deshace al final: ``SET LOCAL ROLE`` (y, si la sesión no
    es miembro de ese rol, un ``GRANT`` temporal que también se deshace).
    """
    _preparar(con, "`amauta accesos probar`")
    acc = _buscar(con, rol)
    if not acc.existe:
        raise OperacionRechazada(
            f"El rol '{acc.rol}' tiene acceso a '{acc.institucion}' en esta base pero no existe en "
            f"este servidor. Recréelo con `amauta accesos crear --institucion \"{acc.institucion}\" "
            f"--rol {acc.rol}`."
        )
    totales = _contar(con)
    miembro = con.exec_driver_sql(
        _sql(con, "SELECT pg_catalog.pg_has_role(current_user, {lit}, 'MEMBER')", literal=acc.rol)
    ).scalar()
    punto = con.begin_nested()
    try:
        if not miembro:
            _exigir_crear_roles(con, "`amauta accesos probar`")
            con.exec_driver_sql(_sql(con, "GRANT {i0} TO CURRENT_USER", acc.rol))
        con.exec_driver_sql(_sql(con, "SET LOCAL ROLE {i0}", acc.rol))
        visibles = _contar(con)
    finally:
        punto.rollback()
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


def verificar(con: "Connection") -> list[str]:
    """Para ``amauta db verificar``: que la seguridad por escuelas y la auditoría sigan en pie
    (RLS activa, las dos políticas de cada tabla, las funciones SECURITY DEFINER con
    search_path fijo, los disparadores de auditoría y el rol de grupo). Vacía en SQLite o
    antes de la migración 0005."""
    from sqlalchemy import bindparam, text

    if not es_postgresql(con) or not con.exec_driver_sql(
        "SELECT pg_catalog.to_regclass('\"_amauta_acceso\"') IS NOT NULL"
    ).scalar():
        return []
    problemas: list[str] = []
    filas = con.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, "
            "  array(SELECT p.polname FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid ORDER BY 1) "
            "FROM pg_catalog.pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relname IN :tablas"
        ).bindparams(bindparam("tablas", expanding=True)),
        {"tablas": list(TABLAS_RLS)},
    ).all()
    por_tabla = {f[0]: (f[1], set(f[2])) for f in filas}
    for t in TABLAS_RLS:
        activa, politicas = por_tabla.get(t, (False, set()))
        if not activa:
            problemas.append(f'la seguridad por filas está apagada en "{t}" (migración 0005)')
        for p in sorted({"amauta_todos", ROL_GRUPO} - politicas):
            problemas.append(f'falta la política "{p}" en "{t}"')
    for f in FUNCIONES:
        fila = con.execute(
            text(
                "SELECT p.prosecdef, coalesce(array_to_string(p.proconfig, ','), '') "
                "FROM pg_catalog.pg_proc p WHERE p.oid = pg_catalog.to_regprocedure(:f)"
            ),
            {"f": f},
        ).first()
        if fila is None:
            problemas.append(f"falta la función {f}")
        elif not fila[0] or "search_path=" not in fila[1]:
            problemas.append(f"la función {f} debe ser SECURITY DEFINER con search_path fijo")
    disparadores = {
        (t, n)
        for t, n in con.exec_driver_sql(
            "SELECT c.relname, g.tgname FROM pg_catalog.pg_trigger g "
            "JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND g.tgenabled <> 'D'"
        )
    }
    for t in ("Asistencia", "Calificacion"):
        for op in ("insert", "update", "delete"):
            if (t, f"amauta_auditar_{op}") not in disparadores:
                problemas.append(f'falta (o está apagado) el disparador de auditoría "amauta_auditar_{op}" en "{t}"')
    if not _rol_existe(con, ROL_GRUPO):
        problemas.append(f"falta el rol de grupo '{ROL_GRUPO}' en el servidor")
    return problemas


# --- Restauraciones ------------------------------------------------------------------------------
def asegurar_rol_grupo(con: "Connection") -> None:
    """Antes de restaurar un respaldo con políticas: el rol de grupo debe existir en el servidor."""
    if not es_postgresql(con) or _rol_existe(con, ROL_GRUPO):
        return
    yo, puede = _puede_crear_roles(con)
    if not puede:
        raise OperacionRechazada(
            f"El respaldo trae la seguridad por escuelas, que necesita el rol de grupo "
            f"'{ROL_GRUPO}', y este servidor no lo tiene; '{yo}' no puede crearlo (le falta "
            "CREATEROLE). No se hizo nada. Pídale a quien administra el servidor "
            f"`CREATE ROLE {ROL_GRUPO} NOLOGIN;` y vuelva a restaurar."
        )
    con.exec_driver_sql(f"CREATE ROLE {ROL_GRUPO} NOLOGIN")


def tras_restaurar(con: "Connection") -> list[str]:
    """Después de restaurar: vuelve a dar los permisos del rol de grupo (los respaldos se hacen
    sin privilegios) y devuelve un aviso por los roles de escuela que faltan en el servidor."""
    if not es_postgresql(con):
        return []
    if not con.exec_driver_sql("SELECT pg_catalog.to_regclass('\"_amauta_acceso\"') IS NOT NULL").scalar():
        return []
    con.exec_driver_sql("SELECT amauta_conceder_permisos()")
    faltan = [a for a in (_acceso(f) for f in con.exec_driver_sql(_SQL_ACCESOS + 'ORDER BY i."nombre", a."rol"')) if not a.existe]
    if not faltan:
        return []
    lista = ", ".join(f"{a.rol} ({a.institucion})" for a in faltan)
    ejemplos = "; ".join(
        f"`amauta accesos crear --institucion \"{a.institucion}\" --rol {a.rol}`" for a in faltan[:3]
    )
    return [
        f"Faltan en este servidor {len(faltan)} rol(es) de escuela que la base restaurada nombra: "
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
    return OperacionRechazada(
        f"Estas credenciales no tienen permiso sobre '{tabla}' ({texto}). Si la conexión es de "
        "una escuela, esa operación la hace quien administra la base del distrito. "
        "No se cambió nada."
    )
