"""El catálogo de un esquema de PostgreSQL: leerlo, compararlo y construir el de una revisión.

Sirve a dos comandos que conviven con la aplicación Prisma:

- ``amauta db migrate`` sobre una base que creó ``prisma migrate`` (sin ``alembic_version``):
  compara el esquema vivo con el que crean las migraciones de amauta hasta cada revisión y,
  si es idéntico a una, la registra como aplicada (ver ``esquema.migrar``).
- ``amauta db prisma``: describe el esquema de la última revisión como ``schema.prisma`` y
  como la ``migration.sql`` de una migración base de Prisma (ver ``services/prisma.py``).

El esquema "de referencia" de una revisión se construye corriendo las migraciones de amauta
en un esquema temporal de la misma base, dentro de un SAVEPOINT que se deshace siempre:
es exactamente lo que crea ``amauta db migrate``, incluidas las migraciones que se agreguen
en el futuro, y no queda ningún rastro en la base (hace falta permiso CREATE en ella).

Todo esto es de PostgreSQL: lee ``pg_catalog``.
"""

from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

from amauta_cli.errores import ErrorMigracion

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

#: La tabla de contabilidad de Alembic (las de Prisma: ``esquema.TABLAS_DE_PRISMA``).
TABLA_ALEMBIC = "alembic_version"


# --- El catálogo -------------------------------------------------------------------------
@dataclass(frozen=True)
class Columna:
    nombre: str
    tipo: str  # format_type: "text", "timestamp(3) without time zone", "\"Rol\"", "text[]"...
    no_nula: bool
    default: str | None  # pg_get_expr: "CURRENT_TIMESTAMP", "'es'::text", "'ESTUDIANTE'::\"Rol\""
    es_enum: bool = False
    dimensiones: int = 0  # 1 para TEXT[]


@dataclass(frozen=True)
class ClaveForanea:
    nombre: str
    columnas: tuple[str, ...]
    destino: str
    columnas_destino: tuple[str, ...]
    al_borrar: str  # RESTRICT, CASCADE, SET NULL, SET DEFAULT, NO ACTION
    al_actualizar: str


@dataclass(frozen=True)
class Restriccion:
    """Clave primaria, UNIQUE, CHECK o EXCLUDE (las foráneas van en ``ClaveForanea``)."""

    nombre: str
    tipo: str  # p (primaria), u (unique), c (check), x (exclude)
    columnas: tuple[str, ...]
    definicion: str


@dataclass(frozen=True)
class Indice:
    nombre: str
    unico: bool
    metodo: str  # btree, gin, gist...
    #: Columnas en orden; ``None`` si alguna parte es una expresión.
    columnas: tuple[str, ...] | None
    #: Columnas a secas (o DESC), sin operadores, INCLUDE ni predicado: lo que Prisma expresa.
    simple: bool
    definicion: str  # CREATE [UNIQUE] INDEX ... sin el nombre del esquema
    #: Las columnas en orden descendente (``@@index([col(sort: Desc)])``).
    descendentes: tuple[str, ...] = ()


@dataclass
class Tabla:
    nombre: str
    columnas: list[Columna] = field(default_factory=list)
    primaria: Restriccion | None = None
    restricciones: list[Restriccion] = field(default_factory=list)
    foraneas: list[ClaveForanea] = field(default_factory=list)
    indices: list[Indice] = field(default_factory=list)
    rls: bool = False
    rls_forzada: bool = False

    def columna(self, nombre: str) -> Columna | None:
        return next((c for c in self.columnas if c.nombre == nombre), None)


@dataclass(frozen=True)
class Objeto:
    """Lo que no es tabla, columna, clave, índice ni enum: vistas, funciones, disparadores,
    políticas de RLS, extensiones. ``sql`` lo crea (sin el nombre del esquema)."""

    clase: str  # extension, funcion, vista, disparador, politica
    nombre: str
    tabla: str | None
    sql: str
    #: Las políticas: los roles a los que se aplican (sin ``public``).
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Permiso:
    """Un privilegio dado a un rol que no es el dueño (``GRANT``), sobre el esquema, una
    tabla, una secuencia o una función del esquema.

    ``rol`` es ``PUBLIC`` para todos los roles. Las funciones se crean con ``EXECUTE`` para
    ``PUBLIC``: que falte ese permiso es lo que dice un ``REVOKE ... FROM PUBLIC``.
    """

    clase: str  # esquema, tabla, secuencia, funcion
    objeto: str  # la tabla, o la función con su firma; "" para el esquema
    rol: str
    privilegios: tuple[str, ...]  # ordenados: ("INSERT", "SELECT")


@dataclass
class Catalogo:
    esquema: str
    tablas: dict[str, Tabla] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    otros: list[Objeto] = field(default_factory=list)
    permisos: list[Permiso] = field(default_factory=list)

    def roles(self) -> list[str]:
        """Los roles (no PUBLIC) que nombran los permisos y las políticas: los que tienen
        que existir en el servidor para crear este esquema (p. ej. ``amauta_escuela``)."""
        nombres = {p.rol for p in self.permisos if p.rol != "PUBLIC"}
        nombres |= {r for o in self.otros if o.clase == "politica" for r in o.roles}
        return sorted(nombres)


def _q(nombre: str) -> str:
    return '"' + nombre.replace('"', '""') + '"'


def _sin_esquema(texto: str, esquema: str) -> str:
    """Quita ``esquema.`` de una definición de pg_catalog (que siempre lo pone en algunas)."""
    for prefijo in (_q(esquema) + ".", esquema + "."):
        texto = texto.replace(prefijo, "")
    return texto


def _ruta_fija(definicion: str, esquema: str) -> str:
    """Las funciones de amauta nombran el esquema donde se crearon (``SET search_path`` fijo de
    las SECURITY DEFINER, ``GRANT ... ON SCHEMA``): las del esquema temporal de referencia
    (``amauta_ref_*``) van como ``public``, el esquema de Prisma, para que se comparen iguales
    a las de la base y la migración exportada sirva tal cual."""
    if not esquema.startswith("amauta_ref_"):
        return definicion
    return definicion.replace(_q(esquema), _q("public")).replace(f"'{esquema}'", "'public'").replace(esquema, "public")


@contextmanager
def _ruta_de_busqueda(con: "Connection", esquema: str) -> Iterator[None]:
    """``search_path`` = ``esquema`` mientras tanto: las definiciones salen sin calificar."""
    previo = con.exec_driver_sql("SHOW search_path").scalar()
    con.exec_driver_sql(f"SET LOCAL search_path TO {_q(esquema)}")
    try:
        yield
    finally:
        con.exec_driver_sql(f"SET LOCAL search_path TO {previo}")


_ACCION = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def esquema_actual(con: "Connection") -> str:
    return str(con.exec_driver_sql("SELECT current_schema()").scalar())


def leer(con: "Connection", esquema: str | None = None) -> Catalogo:
    """El catálogo de ``esquema`` (por defecto el actual), en pocas consultas."""
    from sqlalchemy import text

    esquema = esquema or esquema_actual(con)
    cat = Catalogo(esquema)
    p = {"e": esquema}
    with _ruta_de_busqueda(con, esquema):
        no_de_extension = (
            "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{cat}'::regclass "
            "AND d.objid = {oid} AND d.deptype = 'e')"
        )
        for nombre, rls, forzada in con.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :e AND c.relkind IN ('r', 'p') AND "
                + no_de_extension.format(cat="pg_class", oid="c.oid")
                + " ORDER BY c.relname"
            ),
            p,
        ):
            cat.tablas[nombre] = Tabla(nombre, rls=bool(rls), rls_forzada=bool(forzada))

        for tabla, col, tipo, no_nula, default, es_enum, dims in con.execute(
            text(
                "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                "pg_get_expr(d.adbin, d.adrelid), "
                "coalesce(et.typtype, t.typtype) = 'e', a.attndims "
                "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_type t ON t.oid = a.atttypid "
                "LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' "
                "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                "WHERE n.nspname = :e AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
                "AND NOT a.attisdropped ORDER BY c.relname, a.attnum"
            ),
            p,
        ):
            if tabla in cat.tablas:
                cat.tablas[tabla].columnas.append(
                    Columna(col, tipo, bool(no_nula), default, bool(es_enum), int(dims or 0))
                )

        for (tabla, nombre, tipo, definicion, cols, destino, cols_destino, borrar, actualizar) in con.execute(
            text(
                "SELECT c.relname, co.conname, co.contype, pg_get_constraintdef(co.oid), "
                "(SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(co.conkey) WITH ORDINALITY k(n, i) "
                " JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.n), "
                "fc.relname, "
                "(SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(co.confkey) WITH ORDINALITY k(n, i) "
                " JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.n), "
                "co.confdeltype, co.confupdtype "
                "FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_class fc ON fc.oid = co.confrelid "
                "WHERE n.nspname = :e AND co.contype IN ('p', 'u', 'c', 'x', 'f') "
                "ORDER BY c.relname, co.conname"
            ),
            p,
        ):
            t = cat.tablas.get(tabla)
            if t is None:
                continue
            cols_t = tuple(cols or ())
            if tipo == "f":
                t.foraneas.append(
                    ClaveForanea(
                        nombre, cols_t, destino, tuple(cols_destino or ()),
                        _ACCION.get(borrar, borrar), _ACCION.get(actualizar, actualizar),
                    )
                )
                continue
            r = Restriccion(nombre, tipo, cols_t, _sin_esquema(definicion, esquema))
            if tipo == "p":
                t.primaria = r
            else:
                t.restricciones.append(r)

        for tabla, nombre, unico, metodo, cols, simple, definicion, desc in con.execute(
            text(
                "SELECT c.relname, i.relname, x.indisunique, am.amname, "
                "CASE WHEN 0 = ANY (x.indkey::int2[]) THEN NULL ELSE "
                "(SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(x.indkey::int2[]) "
                " WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = x.indrelid "
                " AND a.attnum = k.n) END, "
                "x.indexprs IS NULL AND x.indpred IS NULL AND x.indnkeyatts = x.indnatts "
                # 0: ASC (NULLS LAST); 3: DESC (NULLS FIRST), los órdenes por defecto.
                "AND NOT EXISTS (SELECT 1 FROM unnest(x.indoption::int2[]) o WHERE o NOT IN (0, 3)) "
                "AND NOT EXISTS (SELECT 1 FROM unnest(x.indclass::oid[]) WITH ORDINALITY k(op, i) "
                " JOIN pg_opclass oc ON oc.oid = k.op WHERE NOT oc.opcdefault), "
                "pg_get_indexdef(x.indexrelid), "
                "(SELECT array_agg(a.attname) FROM unnest(x.indkey::int2[], x.indoption::int2[]) k(n, o) "
                " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n WHERE k.o = 3) "
                "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_class c ON c.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :e AND NOT EXISTS (SELECT 1 FROM pg_constraint co "
                " WHERE co.conindid = x.indexrelid AND co.contype IN ('p', 'u', 'x')) "
                "ORDER BY c.relname, i.relname"
            ),
            p,
        ):
            t = cat.tablas.get(tabla)
            if t is not None:
                t.indices.append(
                    Indice(
                        nombre, bool(unico), metodo, tuple(cols) if cols else None,
                        bool(simple) and cols is not None, _sin_esquema(definicion, esquema),
                        tuple(desc or ()),
                    )
                )

        for nombre, valores in con.execute(
            text(
                "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) "
                "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
                "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = :e "
                "GROUP BY t.typname ORDER BY t.typname"
            ),
            p,
        ):
            cat.enums[nombre] = list(valores)

        cat.otros.extend(_otros(con, esquema))
        cat.permisos.extend(_permisos(con, esquema))
    return cat


def _permisos(con: "Connection", esquema: str) -> list[Permiso]:
    """Los privilegios dados a otros roles sobre el esquema y sus tablas, secuencias y
    funciones (de ``aclexplode``; el dueño no cuenta: tiene todo)."""
    from sqlalchemy import text

    rol = "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END"
    no_de_extension = (
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{cat}'::regclass "
        "AND d.objid = {oid} AND d.deptype = 'e')"
    )
    consulta = f"""
SELECT 'esquema', '', {rol}, a.privilege_type
  FROM pg_namespace n, LATERAL aclexplode(n.nspacl) a
 WHERE n.nspname = :e AND a.grantee NOT IN (0, n.nspowner)
UNION ALL
SELECT CASE WHEN c.relkind = 'S' THEN 'secuencia' ELSE 'tabla' END, c.relname::text, {rol}, a.privilege_type
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL aclexplode(c.relacl) a
 WHERE n.nspname = :e AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND a.grantee <> c.relowner
   AND {no_de_extension.format(cat="pg_class", oid="c.oid")}
UNION ALL
SELECT 'funcion', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', {rol}, a.privilege_type
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
       LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
 WHERE n.nspname = :e AND p.prokind IN ('f', 'p') AND a.grantee <> p.proowner
   AND {no_de_extension.format(cat="pg_proc", oid="p.oid")}
"""
    juntos: dict[tuple[str, str, str], set[str]] = {}
    for clase, objeto, quien, privilegio in con.execute(text(consulta), {"e": esquema}):
        juntos.setdefault((clase, objeto, quien), set()).add(privilegio)
    return [
        Permiso(clase, objeto, quien, tuple(sorted(privs)))
        for (clase, objeto, quien), privs in sorted(juntos.items())
    ]


def _otros(con: "Connection", esquema: str) -> list[Objeto]:
    """Extensiones, funciones, vistas, disparadores y políticas de RLS del esquema.

    Funciones y vistas en el orden en que se crearon (oid): una puede usar a otra.
    """
    from sqlalchemy import text

    p = {"e": esquema}
    otros: list[Objeto] = []
    for (nombre,) in con.execute(
        text(
            "SELECT x.extname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace "
            "WHERE x.extname <> 'plpgsql' AND n.nspname = :e ORDER BY 1"
        ),
        p,
    ):
        otros.append(Objeto("extension", nombre, None, f"CREATE EXTENSION IF NOT EXISTS {_q(nombre)};"))
    # Secuencias sueltas (no las de columnas identity), p. ej. la de la auditoría (0005).
    for nombre, tabla, columna in con.execute(
        text(
            "SELECT s.relname, t.relname, a.attname FROM pg_class s "
            "JOIN pg_namespace n ON n.oid = s.relnamespace "
            "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
            "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "LEFT JOIN pg_class t ON t.oid = d.refobjid "
            "LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
            "WHERE s.relkind = 'S' AND n.nspname = :e AND d.deptype IS DISTINCT FROM 'i' ORDER BY 1"
        ),
        p,
    ):
        sql = f"CREATE SEQUENCE {_q(nombre)};"
        if tabla:
            sql += f"\nALTER SEQUENCE {_q(nombre)} OWNED BY {_q(tabla)}.{_q(columna)};"
        otros.append(Objeto("secuencia", nombre, tabla, sql))
    for nombre, definicion in con.execute(
        text(
            "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
            "pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = :e AND p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_depend d "
            "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') ORDER BY p.oid"
        ),
        p,
    ):
        otros.append(Objeto("funcion", nombre, None, _sin_esquema(_ruta_fija(definicion, esquema), esquema).rstrip() + ";"))
    for nombre, tipo, definicion in con.execute(
        text(
            "SELECT c.relname, c.relkind, pg_get_viewdef(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :e "
            "AND c.relkind IN ('v', 'm') AND NOT EXISTS (SELECT 1 FROM pg_depend d "
            "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') ORDER BY c.oid"
        ),
        p,
    ):
        clase = "MATERIALIZED VIEW" if tipo == "m" else "VIEW"
        cuerpo = _sin_esquema(definicion, esquema).strip().rstrip(";")
        otros.append(Objeto("vista", nombre, None, f"CREATE {clase} {_q(nombre)} AS\n{cuerpo};"))
    for nombre, tabla, definicion in con.execute(
        text(
            "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :e AND NOT t.tgisinternal ORDER BY 2, 1"
        ),
        p,
    ):
        otros.append(Objeto("disparador", nombre, tabla, _sin_esquema(definicion, esquema) + ";"))
    for nombre, tabla, permisiva, comando, roles, usando, chequeo in con.execute(
        text(
            "SELECT pol.polname, c.relname, pol.polpermissive, pol.polcmd, "
            "CASE WHEN pol.polroles = '{0}' THEN ARRAY['public'] ELSE "
            "(SELECT array_agg(quote_ident(r.rolname) ORDER BY r.rolname) FROM pg_roles r "
            " WHERE r.oid = ANY (pol.polroles)) END, "
            "pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid) "
            "FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :e ORDER BY 2, 1"
        ),
        p,
    ):
        cmd = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}[comando]
        sql = (
            f"CREATE POLICY {_q(nombre)} ON {_q(tabla)} AS "
            f"{'PERMISSIVE' if permisiva else 'RESTRICTIVE'} FOR {cmd} TO {', '.join(roles or ['public'])}"
        )
        if usando:
            sql += f"\n  USING ({_sin_esquema(usando, esquema)})"
        if chequeo:
            sql += f"\n  WITH CHECK ({_sin_esquema(chequeo, esquema)})"
        propios = tuple(r.strip('"') for r in (roles or []) if r != "public")
        otros.append(Objeto("politica", nombre, tabla, sql + ";", propios))
    return otros


# --- Comparar ----------------------------------------------------------------------------------
#: Lo que se compara para decidir si dos esquemas son "el mismo" para Prisma y amauta:
#: tablas, columnas (tipo, nulabilidad, default), claves, índices y enums.
def _firma(cat: Catalogo, excluir: set[str]) -> dict[str, dict[tuple, object]]:
    f: dict[str, dict[tuple, object]] = {
        "tabla": {}, "columna": {}, "restriccion": {}, "foranea": {}, "indice": {}, "enum": {}, "rls": {}
    }
    for t in cat.tablas.values():
        if t.nombre in excluir:
            continue
        f["tabla"][(t.nombre,)] = True
        f["rls"][(t.nombre,)] = (t.rls, t.rls_forzada)
        for c in t.columnas:
            f["columna"][(t.nombre, c.nombre)] = (c.tipo, c.no_nula, c.default)
        for r in ([t.primaria] if t.primaria else []) + t.restricciones:
            f["restriccion"][(t.nombre, r.nombre)] = r.definicion
        for fk in t.foraneas:
            f["foranea"][(t.nombre, fk.nombre)] = (
                fk.columnas, fk.destino, fk.columnas_destino, fk.al_borrar, fk.al_actualizar
            )
        for i in t.indices:
            # La definición sin el nombre (que ya es la clave), con UNIQUE, método, columnas...
            f["indice"][(t.nombre, i.nombre)] = re.sub(
                r'^(CREATE (?:UNIQUE )?INDEX) (?:"(?:[^"]|"")+"|\S+) ', r"\1 ", i.definicion
            )
    for nombre, valores in cat.enums.items():
        f["enum"][(nombre,)] = tuple(valores)
    return f


def _nulo(v: bool) -> str:
    return "NOT NULL" if v else "NULL"


def diferencias(real: Catalogo, esperado: Catalogo, excluir: set[str] | None = None) -> list[str]:
    """Cada diferencia de ``real`` respecto de ``esperado``, en español; vacía si son iguales."""
    from amauta_cli.services.esquema import TABLAS_DE_PRISMA

    excluir = {TABLA_ALEMBIC, *TABLAS_DE_PRISMA} if excluir is None else excluir
    a, b = _firma(real, excluir), _firma(esperado, excluir)
    tablas_faltan = {k for k in b["tabla"] if k not in a["tabla"]}
    tablas_sobran = {k for k in a["tabla"] if k not in b["tabla"]}
    problemas: list[str] = []
    problemas += [f'falta la tabla "{k[0]}"' for k in sorted(tablas_faltan)]
    problemas += [f'la tabla "{k[0]}" sobra' for k in sorted(tablas_sobran)]
    fuera = {k[0] for k in tablas_faltan | tablas_sobran}

    def claves(tipo: str) -> list[tuple]:
        return sorted(k for k in set(a[tipo]) | set(b[tipo]) if k[0] not in fuera)

    for k in claves("columna"):
        t, c = k
        if k not in a["columna"]:
            problemas.append(f'falta la columna "{t}"."{c}"')
        elif k not in b["columna"]:
            problemas.append(f'la columna "{t}"."{c}" sobra')
        elif a["columna"][k] != b["columna"][k]:
            (ta, na, da), (tb, nb, db) = a["columna"][k], b["columna"][k]  # type: ignore[misc]
            if ta != tb:
                problemas.append(f'la columna "{t}"."{c}" es de tipo {ta}, debería ser {tb}')
            if na != nb:
                problemas.append(f'la columna "{t}"."{c}" es {_nulo(na)}, debería ser {_nulo(nb)}')
            if da != db:
                problemas.append(
                    f'la columna "{t}"."{c}" tiene DEFAULT {da or "(ninguno)"}, debería ser {db or "(ninguno)"}'
                )
    for tipo, palabra, distinta in (
        ("restriccion", "la restricción", "distinta"),
        ("foranea", "la clave foránea", "distinta"),
        ("indice", "el índice", "distinto"),
    ):
        for k in claves(tipo):
            t, n = k
            if k not in a[tipo]:
                problemas.append(f'falta {palabra} "{n}" en "{t}"')
            elif k not in b[tipo]:
                problemas.append(f'sobra {palabra} "{n}" en "{t}"')
            elif a[tipo][k] != b[tipo][k]:
                problemas.append(
                    f'{palabra} "{n}" en "{t}" es {distinta}: {_mostrar(a[tipo][k])}, '
                    f"debería ser {_mostrar(b[tipo][k])}"
                )
    for k in claves("rls"):
        if k in a["rls"] and k in b["rls"] and a["rls"][k] != b["rls"][k]:
            problemas.append(f'la seguridad por filas (RLS) de "{k[0]}" es distinta')
    for k in sorted(set(a["enum"]) | set(b["enum"])):
        if k not in a["enum"]:
            problemas.append(f'falta el tipo enum "{k[0]}"')
        elif k not in b["enum"]:
            problemas.append(f'sobra el tipo enum "{k[0]}"')
        elif a["enum"][k] != b["enum"][k]:
            problemas.append(
                f'el enum "{k[0]}" tiene los valores {list(a["enum"][k])}, deberían ser {list(b["enum"][k])}'  # type: ignore[arg-type]
            )
    return problemas


_SOBRE = {"esquema": "el esquema", "tabla": "la tabla", "secuencia": "la secuencia", "funcion": "la función"}


def _objeto_de(p: Permiso) -> str:
    if p.clase == "esquema":
        return "el esquema"
    if p.clase == "funcion":
        return f"la función {p.objeto}"
    return f'{_SOBRE[p.clase]} "{p.objeto}"'


def diferencias_de_permisos(real: Catalogo, esperado: Catalogo, excluir: set[str] | None = None) -> list[str]:
    """Los permisos de los roles que nombra ``esperado`` (p. ej. ``amauta_escuela``) y los de
    PUBLIC sobre las funciones, comparados con ``real``. Los permisos que otros roles tengan
    en la base (los de la aplicación web, por ejemplo) no son de amauta y no se comparan.

    Aparte de ``diferencias``: adoptar una base de Prisma compara el esquema, no los permisos
    (que se corrigen sin tocar el esquema y ``db verificar`` informa)."""
    excluir = excluir or set()
    roles = set(esperado.roles())
    funciones = {o.nombre for o in esperado.otros if o.clase == "funcion"}

    def mapa(cat: Catalogo) -> dict[tuple[str, str, str], set[str]]:
        m: dict[tuple[str, str, str], set[str]] = {}
        for p in cat.permisos:
            if p.objeto in excluir:
                continue
            if p.rol in roles or (p.rol == "PUBLIC" and p.clase == "funcion" and p.objeto in funciones):
                m[(p.clase, p.objeto, p.rol)] = set(p.privilegios)
        return m

    a, b = mapa(real), mapa(esperado)
    problemas: list[str] = []
    for clave in sorted(set(a) | set(b)):
        clase, objeto, rol = clave
        if clase == "funcion" and objeto not in funciones:
            continue
        if clase in ("tabla", "secuencia") and objeto not in esperado.tablas and not any(
            p.objeto == objeto for p in esperado.permisos
        ):
            continue
        tiene, debe = a.get(clave, set()), b.get(clave, set())
        sujeto = _objeto_de(Permiso(clase, objeto, rol, ()))
        quien = "de PUBLIC (todos los roles)" if rol == "PUBLIC" else f"del rol '{rol}'"
        for priv in sorted(debe - tiene):
            problemas.append(f"falta el permiso {priv} {quien} sobre {sujeto}")
        for priv in sorted(tiene - debe):
            problemas.append(f"sobra el permiso {priv} {quien} sobre {sujeto}")
    return problemas


def _mostrar(v: object) -> str:
    if isinstance(v, tuple) and len(v) == 5:
        cols, destino, cols_d, borrar, actualizar = v
        return (
            f"({', '.join(cols)}) → {destino}({', '.join(cols_d)}) ON DELETE {borrar} ON UPDATE {actualizar}"
        )
    return str(v)


# --- El esquema de una revisión ----------------------------------------------------------------
class Referencia:
    """Un esquema temporal al que se le aplican las migraciones de amauta, paso a paso."""

    def __init__(self, con: "Connection", nombre: str):
        self.con = con
        self.nombre = nombre
        self.revision: str | None = None

    def subir(self, revision: str) -> None:
        from alembic import command

        from amauta_cli.services.esquema import config_alembic

        previo = self.con.exec_driver_sql("SHOW search_path").scalar()
        # Primero el esquema temporal (ahí se crea todo); después el de siempre, por si una
        # migración usa una extensión instalada en él.
        self.con.exec_driver_sql(f"SET LOCAL search_path TO {_q(self.nombre)}, {previo}")
        try:
            cfg = config_alembic()
            cfg.attributes["connection"] = self.con
            cfg.attributes["esquema_version"] = self.nombre
            command.upgrade(cfg, revision)
        finally:
            self.con.exec_driver_sql(f"SET LOCAL search_path TO {previo}")
        self.revision = revision

    def catalogo(self) -> Catalogo:
        return leer(self.con, self.nombre)


@contextmanager
def referencia(con: "Connection") -> Iterator[Referencia]:
    """Un esquema temporal vacío, dentro de un SAVEPOINT que se deshace al salir (pase lo que pase)."""
    from sqlalchemy import exc as sa_exc

    nombre = f"amauta_ref_{secrets.token_hex(5)}"
    punto = con.begin_nested()
    try:
        try:
            con.exec_driver_sql(f"CREATE SCHEMA {_q(nombre)}")
        except sa_exc.ProgrammingError as e:
            raise ErrorMigracion(
                "No se pudo crear el esquema temporal con el que amauta compara la base con sus "
                f"migraciones (hace falta permiso CREATE en la base): {getattr(e, 'orig', e)}"
            ) from None
        yield Referencia(con, nombre)
    finally:
        if punto.is_active:
            punto.rollback()


def disponible(con: "Connection") -> bool:
    """El catálogo, la adopción y ``db prisma`` son de PostgreSQL (un motor servidor)."""
    from amauta_cli.dialecto import dialecto

    return dialecto(con).es_servidor


def tipos_existentes(con: Any, nombres: list[str]) -> list[str]:
    """Cuáles de los tipos ``nombres`` existen en el esquema actual (``con``: también ``db.Cruda``)."""
    from amauta_cli.db import cruda

    c = cruda(con)
    existentes = {
        n for (n,) in c.filas(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema()"
        )
    }
    return [n for n in nombres if n in existentes]
