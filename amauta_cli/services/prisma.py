"""``amauta db prisma``: el esquema de amauta como lo ve Prisma, para la aplicación web.

Escribe dos archivos que describen exactamente lo que crea ``amauta db migrate`` en
PostgreSQL (la última revisión):

- ``schema.prisma``: los modelos del diseño con sus relaciones inversas, cada índice que
  amauta agrega (``@@unique``, ``@@index``, ``type: Gin``...) y las tablas propias de amauta
  (``alembic_version``, ``_amauta_meta``, las de la búsqueda...) como modelos ``@@ignore``:
  Prisma Migrate no las borra y Prisma Client no las expone. Lo que Prisma no puede expresar
  (índices sobre expresiones, funciones, disparadores, políticas de RLS...) va como
  comentario en el modelo que corresponde.
- ``migrations/0_init/migration.sql``: el SQL de todo eso al estilo de ``prisma migrate``
  (``-- CreateEnum``, ``-- CreateTable``, ``-- CreateIndex``, ``-- AddForeignKey``), más lo que
  Prisma no expresa y la fila de ``alembic_version``. Con él, la aplicación web hace su
  migración base (``prisma migrate resolve --applied 0_init`` en la base compartida) y una
  base nueva creada con ``prisma migrate deploy`` ya es una base de amauta al día.

Nada de esto está escrito a mano: se lee del catálogo de un esquema temporal al que se le
aplican las migraciones de amauta (``services/catalogo.py``), así que las migraciones
futuras quedan cubiertas solas. De los modelos de SQLAlchemy se toma solo lo que la base no
guarda: los nombres de los modelos y de las relaciones, ``@default(cuid())`` y ``@updatedAt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amauta_cli.errores import DatosInvalidos
from amauta_cli.services.catalogo import Catalogo, Columna, Indice, Tabla

#: Versiones de Prisma para las que se escribe el bloque ``datasource``: Prisma 7 toma la URL
#: de ``prisma.config.ts`` y rechaza ``url`` en el esquema; Prisma 6 la exige.
VERSIONES_PRISMA = ("7", "6")
MIGRACION_BASE = "0_init"

_ACCION_PRISMA = {
    "CASCADE": "Cascade",
    "RESTRICT": "Restrict",
    "NO ACTION": "NoAction",
    "SET NULL": "SetNull",
    "SET DEFAULT": "SetDefault",
}
_METODO_PRISMA = {"gin": "Gin", "gist": "Gist", "hash": "Hash", "brin": "Brin", "spgist": "SpGist"}
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


# --- Lo que la base no guarda: nombres y defaults del cliente, de los modelos de SQLAlchemy ---
@dataclass
class Pistas:
    #: tabla → nombre del modelo (las del diseño; las demás se derivan del nombre de la tabla).
    modelos: dict[str, str] = field(default_factory=dict)
    #: (tabla, columnas de la FK) → (campo de relación, nombre de la relación o None).
    relaciones: dict[tuple[str, tuple[str, ...]], tuple[str, str | None]] = field(default_factory=dict)
    #: (tabla destino, tabla origen, columnas de la FK) → campo inverso.
    inversas: dict[tuple[str, str, tuple[str, ...]], str] = field(default_factory=dict)
    #: (tabla, columna) con ``@default(cuid())`` o ``@updatedAt``.
    cuid: set[tuple[str, str]] = field(default_factory=set)
    actualizado: set[tuple[str, str]] = field(default_factory=set)


def pistas_de_los_modelos() -> Pistas:
    from sqlalchemy import inspect

    from amauta_cli import ids
    from amauta_cli.models import MODELOS, metadata

    p = Pistas()
    for modelo in MODELOS:
        tabla = modelo.__tablename__
        p.modelos[tabla] = modelo.__name__
        for r in inspect(modelo).relationships:
            destino = r.mapper.class_.__tablename__
            if r.direction.name == "MANYTOONE":
                cols = tuple(c.name for c in r.local_columns)
                p.relaciones[(tabla, cols)] = (r.key, r.info.get("relacion"))
            else:
                cols = tuple(c.name for c in r.remote_side)
                p.inversas[(tabla, destino, cols)] = r.key
    for t in metadata.tables.values():
        for c in t.columns:
            defecto = getattr(c.default, "arg", None)
            if getattr(defecto, "__wrapped__", defecto) is ids.cuid or getattr(defecto, "__name__", "") == "cuid":
                p.cuid.add((t.name, c.name))
            if c.onupdate is not None:
                p.actualizado.add((t.name, c.name))
    return p


# --- Exportar ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Exportacion:
    revision: str
    schema: str
    migracion: str
    modelos: int
    propias: list[str]  # tablas propias de amauta (modelos @@ignore)
    no_expresable: list[str]  # lo que Prisma no expresa (comentarios y SQL de 0_init)


@dataclass(frozen=True)
class Escritos:
    schema: Path
    migracion: Path


def exportar(url: str, version_prisma: str = "7") -> Exportacion:
    """El ``schema.prisma`` y la ``migration.sql`` de la última revisión de amauta.

    Hace falta una base PostgreSQL donde crear (y deshacer) el esquema de referencia: puede
    ser la de producción (no se toca nada) o cualquier base vacía.
    """
    from amauta_cli.db import conexion
    from amauta_cli.services import catalogo
    from amauta_cli.services.esquema import cabeza

    if version_prisma not in VERSIONES_PRISMA:
        raise DatosInvalidos(
            f"--prisma: '{version_prisma}' no es una versión admitida ({', '.join(VERSIONES_PRISMA)})."
        )
    with conexion(url) as con:
        if not catalogo.disponible(con):
            raise DatosInvalidos(
                "amauta db prisma describe el esquema de PostgreSQL (el de la aplicación web): "
                "use --db-url con una base PostgreSQL, vacía o no (no se modifica)."
            )
        with catalogo.referencia(con) as ref:
            ref.subir("head")
            cat = ref.catalogo()
    rev = cabeza()
    return generar(cat, rev, pistas_de_los_modelos(), version_prisma)


def generar(cat: Catalogo, revision: str, pistas: Pistas, version_prisma: str = "7") -> Exportacion:
    g = _Generador(cat, pistas)
    return Exportacion(
        revision,
        g.schema(revision, version_prisma),
        g.migracion(revision),
        len(g.nombres),
        [t for t in g.nombres if t not in pistas.modelos],
        g.no_expresable(),
    )


def escribir(exp: Exportacion, carpeta: Path, sobrescribir: bool = False) -> Escritos:
    """Escribe ``carpeta/schema.prisma`` y ``carpeta/migrations/0_init/migration.sql``."""
    schema = carpeta / "schema.prisma"
    migracion = carpeta / "migrations" / MIGRACION_BASE / "migration.sql"
    if not sobrescribir:
        existentes = [str(p) for p in (schema, migracion) if p.exists()]
        if existentes:
            raise DatosInvalidos(
                f"Ya existe {' y '.join(existentes)}: no se sobrescribe. Elija otra carpeta o "
                "agregue --sobrescribir."
            )
    if carpeta.exists() and not carpeta.is_dir():
        raise DatosInvalidos(f"--salida: '{carpeta}' existe y no es una carpeta.")
    migracion.parent.mkdir(parents=True, exist_ok=True)
    schema.write_text(exp.schema, encoding="utf-8")
    migracion.write_text(exp.migracion, encoding="utf-8")
    lock = carpeta / "migrations" / "migration_lock.toml"
    if not lock.exists():
        lock.write_text(
            "# Please do not edit this file manually\n"
            "# It should be added in your version-control system (e.g., Git)\n"
            'provider = "postgresql"\n',
            encoding="utf-8",
        )
    return Escritos(schema, migracion)


# --- El generador -------------------------------------------------------------------------------
def _pascal(tabla: str) -> str:
    partes = [p for p in re.split(r"[^A-Za-z0-9]+", tabla) if p]
    nombre = "".join(p[:1].upper() + p[1:] for p in partes) or "Tabla"
    return nombre if nombre[0].isalpha() else "T" + nombre


def _campo(nombre: str) -> str:
    if _IDENT.match(nombre):
        return nombre
    limpio = re.sub(r"[^A-Za-z0-9_]+", "_", nombre).strip("_") or "campo"
    return limpio if limpio[0].isalpha() else "c" + limpio


def _cadena(texto: str) -> str:
    return '"' + texto.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _q(nombre: str) -> str:
    return '"' + nombre.replace('"', '""') + '"'


def _lista(cols: tuple[str, ...] | list[str]) -> str:
    return ", ".join(cols)


def _comentar(texto: str, sangria: str = "  ") -> list[str]:
    return [f"{sangria}// {linea}".rstrip() for linea in texto.strip().splitlines()]


_NUMERO = re.compile(r"^-?\d+(\.\d+)?$")
_LITERAL = re.compile(r"^'((?:[^']|'')*)'::(.+)$")


class _Generador:
    def __init__(self, cat: Catalogo, pistas: Pistas):
        self.cat = cat
        self.p = pistas
        # Tablas: primero las del diseño en el orden de los modelos, después las demás.
        orden = [t for t in pistas.modelos if t in cat.tablas]
        orden += sorted(t for t in cat.tablas if t not in pistas.modelos)
        self.tablas = [cat.tablas[t] for t in orden]
        self.nombres = {t.nombre: pistas.modelos.get(t.nombre) or _pascal(t.nombre) for t in self.tablas}
        self._resolver_relaciones()

    # --- relaciones ---------------------------------------------------------------------------
    def _resolver_relaciones(self) -> None:
        """Cada FK: su campo en el modelo que la tiene y el inverso en el modelo destino."""
        self.directas: dict[str, list[tuple[Any, str, str | None]]] = {t.nombre: [] for t in self.tablas}
        self.inversas_de: dict[str, list[tuple[str, str, str, str | None, bool]]] = {
            t.nombre: [] for t in self.tablas
        }
        usados: dict[str, set[str]] = {t.nombre: {c.nombre for c in t.columnas} for t in self.tablas}
        for t in self.tablas:
            destinos = [fk.destino for fk in t.foraneas]
            for fk in t.foraneas:
                if fk.destino not in self.nombres:
                    continue
                campo, relacion = self.p.relaciones.get((t.nombre, fk.columnas), (None, None))
                ambigua = destinos.count(fk.destino) > 1 or fk.destino == t.nombre
                if campo is None:
                    base = fk.columnas[0][:-2] if len(fk.columnas) == 1 and fk.columnas[0].endswith("Id") else ""
                    campo = self._libre(usados[t.nombre], _campo(base or self.nombres[fk.destino][:1].lower() + self.nombres[fk.destino][1:]))
                usados[t.nombre].add(campo)
                if relacion is None and ambigua:
                    relacion = f"{self.nombres[t.nombre]}_{campo}"
                self.directas[t.nombre].append((fk, campo, relacion))
                inversa = self.p.inversas.get((fk.destino, t.nombre, fk.columnas))
                if inversa is None:
                    n = self.nombres[t.nombre]
                    inversa = self._libre(usados[fk.destino], n[:1].lower() + n[1:])
                usados[fk.destino].add(inversa)
                unica = self._columnas_unicas(t, fk.columnas)
                # El inverso de una relación que sale de un modelo @@ignore lleva @ignore.
                ignorar = t.nombre not in self.p.modelos and fk.destino in self.p.modelos
                self.inversas_de[fk.destino].append((inversa, t.nombre, "?" if unica else "[]", relacion, ignorar))

    @staticmethod
    def _libre(usados: set[str], nombre: str) -> str:
        candidato, n = nombre, 2
        while candidato in usados:
            candidato, n = f"{nombre}{n}", n + 1
        return candidato

    @staticmethod
    def _columnas_unicas(t: Tabla, cols: tuple[str, ...]) -> bool:
        if t.primaria is not None and set(t.primaria.columnas) == set(cols):
            return True
        return any(i.unico and i.simple and set(i.columnas or ()) == set(cols) for i in t.indices)

    # --- tipos y defaults ----------------------------------------------------------------------
    def _tipo(self, c: Columna) -> tuple[str, str]:
        """(tipo de Prisma con ``?``/``[]``, atributo ``@db.*`` o '')."""
        tipo = c.tipo
        lista = tipo.endswith("[]")
        base = tipo[:-2] if lista else tipo
        nombre_enum = base.strip('"')
        if nombre_enum in self.cat.enums:
            prisma, db = nombre_enum, ""
        else:
            prisma, db = self._tipo_escalar(base)
        if lista:
            return prisma + "[]", db
        return prisma + ("" if c.no_nula else "?"), db

    @staticmethod
    def _tipo_escalar(base: str) -> tuple[str, str]:
        fijos = {
            "text": ("String", ""),
            "integer": ("Int", ""),
            "bigint": ("BigInt", ""),
            "smallint": ("Int", "@db.SmallInt"),
            "double precision": ("Float", ""),
            "real": ("Float", "@db.Real"),
            "boolean": ("Boolean", ""),
            "timestamp(3) without time zone": ("DateTime", ""),
            "jsonb": ("Json", ""),
            "json": ("Json", "@db.Json"),
            "uuid": ("String", "@db.Uuid"),
            "bytea": ("Bytes", ""),
            "date": ("DateTime", "@db.Date"),
            "character varying": ("String", "@db.VarChar"),
            "timestamp without time zone": ("DateTime", "@db.Timestamp(6)"),
            "timestamp with time zone": ("DateTime", "@db.Timestamptz(6)"),
        }
        if base in fijos:
            return fijos[base]
        m = re.match(r"^character varying\((\d+)\)$", base)
        if m:
            return "String", f"@db.VarChar({m.group(1)})"
        m = re.match(r"^character\((\d+)\)$", base)
        if m:
            return "String", f"@db.Char({m.group(1)})"
        m = re.match(r"^timestamp\((\d)\) (with|without) time zone$", base)
        if m:
            return "DateTime", f"@db.{'Timestamptz' if m.group(2) == 'with' else 'Timestamp'}({m.group(1)})"
        m = re.match(r"^numeric\((\d+),(\d+)\)$", base)
        if m:
            return "Decimal", f"@db.Decimal({m.group(1)}, {m.group(2)})"
        return f"Unsupported({_cadena(base)})", ""

    def _default(self, t: Tabla, c: Columna) -> str | None:
        d = c.default
        if d is None:
            return "@default(cuid())" if (t.nombre, c.nombre) in self.p.cuid else None
        if d.upper() in ("CURRENT_TIMESTAMP", "NOW()"):
            return "@default(now())"
        if d in ("true", "false"):
            return f"@default({d})"
        if _NUMERO.match(d):
            return f"@default({d})"
        m = _LITERAL.match(d)
        if m:
            valor, tipo = m.group(1).replace("''", "'"), m.group(2).strip('"')
            if tipo in self.cat.enums and valor in self.cat.enums[tipo]:
                return f"@default({valor})"
            if tipo in ("text", "character varying"):
                return f"@default({_cadena(valor)})"
        return f"@default(dbgenerated({_cadena(d)}))"

    # --- schema.prisma ----------------------------------------------------------------------------
    def schema(self, revision: str, version_prisma: str) -> str:
        out = [
            f"// schema.prisma de amauta, revisión {revision} (generado por `amauta db prisma`).",
            "//",
            "// Describe exactamente el esquema que crea `amauta db migrate` en PostgreSQL: los",
            "// modelos del diseño, cada índice que amauta agrega y sus tablas propias (modelos",
            "// @@ignore: Prisma Migrate no las borra y Prisma Client no las expone). Lo que Prisma",
            "// no puede expresar está comentado en el modelo que corresponde y, como SQL, en",
            f"// migrations/{MIGRACION_BASE}/migration.sql. Las migraciones del esquema las hace amauta:",
            "// en una base compartida use `prisma migrate deploy`, nunca `migrate dev` ni `db push`.",
            "",
            "generator client {",
            '  provider = "prisma-client-js" // o el generador de su proyecto',
            "}",
            "",
            "datasource db {",
            '  provider = "postgresql"',
        ]
        if version_prisma == "6":
            out.append('  url      = env("DATABASE_URL")')
        else:
            out.append("  // Prisma 7: la URL va en prisma.config.ts (Prisma 6: url = env(\"DATABASE_URL\")).")
        out += ["}", ""]
        enums_escritos: set[str] = set()
        for t in self.tablas:
            out += self._modelo(t)
            out.append("")
            for c in t.columnas:
                e = c.tipo.rstrip("[]").strip('"')
                if e in self.cat.enums and e not in enums_escritos:
                    out += self._enum(e)
                    out.append("")
                    enums_escritos.add(e)
        for e in sorted(set(self.cat.enums) - enums_escritos):
            out += self._enum(e)
            out.append("")
        generales = [o for o in self.cat.otros if o.tabla is None]
        if generales:
            out.append("// Objetos de amauta que Prisma no expresa (están en migration.sql; no los borre):")
            for o in generales:
                out.append(f"//   {_CLASE[o.clase]} {o.nombre}")
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def _enum(self, nombre: str) -> list[str]:
        lineas = [f"enum {nombre} {{"]
        for v in self.cat.enums[nombre]:
            lineas.append(f"  {v}" if _IDENT.match(v) else f'  {_campo(v)} @map({_cadena(v)})')
        return lineas + ["}"]

    def _modelo(self, t: Tabla) -> list[str]:
        nombre = self.nombres[t.nombre]
        propia = t.nombre not in self.p.modelos
        lineas: list[str] = []
        if propia:
            lineas.append(f"/// Tabla propia de amauta ({t.nombre}): no la use desde la aplicación.")
        lineas.append(f"model {nombre} {{")
        filas: list[tuple[str, str, str]] = []
        pk = t.primaria
        simples_unicos = {
            i.columnas[0]: i
            for i in t.indices
            if i.unico and i.simple and i.columnas and len(i.columnas) == 1 and not i.descendentes
        }
        relaciones_por_col: dict[str, list[tuple[Any, str, str | None]]] = {}
        for fk, campo, rel in self.directas[t.nombre]:
            relaciones_por_col.setdefault(fk.columnas[-1], []).append((fk, campo, rel))
        for c in t.columnas:
            campo = _campo(c.nombre)
            tipo, db = self._tipo(c)
            attrs: list[str] = []
            if pk is not None and pk.columnas == (c.nombre,):
                attrs.append("@id" if pk.nombre == f"{t.nombre}_pkey" else f"@id(map: {_cadena(pk.nombre)})")
            i = simples_unicos.get(c.nombre)
            if i is not None and i.metodo == "btree":
                defecto = f"{t.nombre}_{c.nombre}_key"
                attrs.append("@unique" if i.nombre == defecto else f"@unique(map: {_cadena(i.nombre)})")
            d = self._default(t, c)
            if d:
                attrs.append(d)
            if (t.nombre, c.nombre) in self.p.actualizado:
                attrs.append("@updatedAt")
            if db:
                attrs.append(db)
            if campo != c.nombre:
                attrs.append(f"@map({_cadena(c.nombre)})")
            filas.append((campo, tipo, " ".join(attrs)))
            for fk, rcampo, rel in relaciones_por_col.get(c.nombre, []):
                opcional = self._opcional(t, fk)
                filas.append((rcampo, self.nombres[fk.destino] + ("?" if opcional else ""), self._relacion(t, fk, rel)))
        inversas = self.inversas_de[t.nombre]
        if inversas:
            filas.append(("", "", ""))
            filas.append(("// Relaciones", "", ""))
            for campo, origen, card, rel, ignorar in inversas:
                attrs = []
                if rel:
                    attrs.append(f"@relation({_cadena(rel)})")
                if ignorar:
                    attrs.append("@ignore")
                filas.append((campo, self.nombres[origen] + ("?" if card == "?" else "[]"), " ".join(attrs)))
        ancho_c = max((len(f[0]) for f in filas if f[1]), default=0)
        ancho_t = max((len(f[1]) for f in filas if f[1]), default=0)
        for campo, tipo, attrs in filas:
            if not tipo:
                lineas.append(f"  {campo}".rstrip())
            else:
                lineas.append(f"  {campo.ljust(ancho_c)} {tipo.ljust(ancho_t)} {attrs}".rstrip())
        bloque: list[str] = []
        if pk is not None and len(pk.columnas) > 1:
            m = "" if pk.nombre == f"{t.nombre}_pkey" else f", map: {_cadena(pk.nombre)}"
            bloque.append(f"  @@id([{_lista([_campo(x) for x in pk.columnas])}]{m})")
        comentarios: list[str] = []
        lineas_indices = []
        for i in t.indices:
            linea = self._indice(t, i)
            if linea is None:
                comentarios += _comentar(f"Índice que Prisma no expresa (lo crea amauta):\n{i.definicion}")
            elif linea:
                lineas_indices.append(linea)
        bloque += sorted(lineas_indices, key=lambda x: not x.startswith("  @@unique"))
        for r in t.restricciones:
            comentarios += _comentar(f"Restricción que Prisma no expresa (la crea amauta):\n{r.nombre}: {r.definicion}")
        if t.rls:
            comentarios += _comentar(
                "Seguridad por filas (RLS) activada" + (" y forzada" if t.rls_forzada else "") + " por amauta."
            )
        for o in self.cat.otros:
            if o.tabla == t.nombre:
                comentarios += _comentar(f"{_CLASE[o.clase].capitalize()} {o.nombre} (lo crea amauta; Prisma no lo expresa).")
        if propia:
            bloque.append("  @@ignore")
        if nombre != t.nombre:
            bloque.append(f"  @@map({_cadena(t.nombre)})")
        if bloque or comentarios:
            lineas.append("")
            lineas += bloque
            if comentarios:
                if bloque:
                    lineas.append("")
                lineas += comentarios
        return lineas + ["}"]

    def _relacion(self, t: Tabla, fk: Any, rel: str | None) -> str:
        partes = []
        if rel:
            partes.append(_cadena(rel))
        partes.append(f"fields: [{_lista([_campo(c) for c in fk.columnas])}]")
        partes.append(f"references: [{_lista([_campo(c) for c in fk.columnas_destino])}]")
        por_defecto_borrar = "SetNull" if self._opcional(t, fk) else "Restrict"
        borrar = _ACCION_PRISMA.get(fk.al_borrar, fk.al_borrar)
        if borrar != por_defecto_borrar:
            partes.append(f"onDelete: {borrar}")
        actualizar = _ACCION_PRISMA.get(fk.al_actualizar, fk.al_actualizar)
        if actualizar != "Cascade":
            partes.append(f"onUpdate: {actualizar}")
        if fk.nombre != f"{t.nombre}_{'_'.join(fk.columnas)}_fkey":
            partes.append(f"map: {_cadena(fk.nombre)}")
        return f"@relation({', '.join(partes)})"

    @staticmethod
    def _opcional(t: Tabla, fk: Any) -> bool:
        return any(not getattr(t.columna(c), "no_nula", False) for c in fk.columnas)

    def _indice(self, t: Tabla, i: Indice) -> str | None:
        """La línea ``@@index``/``@@unique``; '' si ya está como ``@unique``; None si Prisma no puede."""
        if not i.simple or i.columnas is None:
            return None
        cols = _lista([_campo(c) + ("(sort: Desc)" if c in i.descendentes else "") for c in i.columnas])
        if i.unico:
            if i.metodo != "btree":
                return None
            if len(i.columnas) == 1 and not i.descendentes:
                return ""  # @unique en el campo
            defecto = f"{t.nombre}_{'_'.join(i.columnas)}_key"
            m = "" if i.nombre == defecto else f", map: {_cadena(i.nombre)}"
            return f"  @@unique([{cols}]{m})"
        defecto = f"{t.nombre}_{'_'.join(i.columnas)}_idx"
        extras = ""
        if i.nombre != defecto:
            extras += f", map: {_cadena(i.nombre)}"
        if i.metodo != "btree":
            if i.metodo not in _METODO_PRISMA:
                return None
            extras += f", type: {_METODO_PRISMA[i.metodo]}"
        return f"  @@index([{cols}]{extras})"

    def no_expresable(self) -> list[str]:
        """Lo que Prisma no expresa, contado por clase: ``['1 índice', '8 funciones']``."""
        from amauta_cli.textos import plural

        cuenta = {
            "índice": sum(1 for t in self.tablas for i in t.indices if self._indice(t, i) is None),
            "restricción": sum(len(t.restricciones) for t in self.tablas),
            "tabla con seguridad por filas": sum(1 for t in self.tablas if t.rls),
        }
        for o in self.cat.otros:
            cuenta[_CLASE[o.clase]] = cuenta.get(_CLASE[o.clase], 0) + 1
        cuenta["rol de grupo"] = len(self.cat.roles())
        cuenta["permiso"] = sum(
            len(p.privilegios) for p in self.cat.permisos if p.rol != "PUBLIC"
        )
        plurales = {"tabla con seguridad por filas": "tablas con seguridad por filas", "rol de grupo": "roles de grupo"}
        return [plural(n, clase, plurales.get(clase)) for clase, n in cuenta.items() if n]

    # --- migration.sql -----------------------------------------------------------------------------
    def migracion(self, revision: str) -> str:
        out = [
            f"-- Migración base de la aplicación Prisma: el esquema de amauta en la revisión {revision}",
            "-- (generado por `amauta db prisma`). En una base que ya tiene este esquema, márquela como",
            f"-- aplicada sin ejecutarla: `prisma migrate resolve --applied {MIGRACION_BASE}`.",
            "",
            "-- Las funciones se validan al usarse (como en pg_dump), no al crearse.",
            "SET check_function_bodies = false;",
            "",
        ]
        for o in self.cat.otros:
            if o.clase == "extension":
                out += ["-- CreateExtension", o.sql, ""]
        for rol in self.cat.roles():
            out += [
                f"-- amauta: el rol de grupo {rol} (del servidor entero: se crea solo si no existe;",
                "-- crearlo necesita CREATEROLE, como `amauta db migrate`)",
                _sql_crear_rol(rol),
                "",
            ]
        for nombre in self._enums_en_orden():
            valores = self.cat.enums[nombre]
            lista = ", ".join("'" + v.replace("'", "''") + "'" for v in valores)
            out += ["-- CreateEnum", f"CREATE TYPE {_q(nombre)} AS ENUM ({lista});", ""]
        for o in self.cat.otros:
            if o.clase == "funcion":
                out += [f"-- amauta: función {o.nombre}", o.sql, ""]
        for t in self.tablas:
            out += ["-- CreateTable", self._create_table(t), ""]
        for o in self.cat.otros:
            if o.clase == "secuencia":
                out += [f"-- amauta: secuencia {o.nombre}", o.sql, ""]
        for t in self.tablas:
            for i in t.indices:
                out += ["-- CreateIndex", self._create_index(t, i), ""]
        for t in self.tablas:
            for fk in t.foraneas:
                out += [
                    "-- AddForeignKey",
                    f"ALTER TABLE {_q(t.nombre)} ADD CONSTRAINT {_q(fk.nombre)} FOREIGN KEY "
                    f"({', '.join(_q(c) for c in fk.columnas)}) REFERENCES {_q(fk.destino)}"
                    f"({', '.join(_q(c) for c in fk.columnas_destino)}) "
                    f"ON DELETE {fk.al_borrar} ON UPDATE {fk.al_actualizar};",
                    "",
                ]
        for t in self.tablas:
            for r in t.restricciones:
                out += [
                    f"-- amauta: restricción {r.nombre}",
                    f"ALTER TABLE {_q(t.nombre)} ADD CONSTRAINT {_q(r.nombre)} {r.definicion};",
                    "",
                ]
        for clase in ("vista", "disparador"):
            for o in self.cat.otros:
                if o.clase == clase:
                    out += [f"-- amauta: {_CLASE[clase]} {o.nombre}", o.sql, ""]
        for t in self.tablas:
            if t.rls:
                out += [f"-- amauta: seguridad por filas de {t.nombre}", f"ALTER TABLE {_q(t.nombre)} ENABLE ROW LEVEL SECURITY;"]
                if t.rls_forzada:
                    out.append(f"ALTER TABLE {_q(t.nombre)} FORCE ROW LEVEL SECURITY;")
                out.append("")
        for o in self.cat.otros:
            if o.clase == "politica":
                out += [f"-- amauta: política {o.nombre} de {o.tabla}", o.sql, ""]
        out += self._permisos_sql()
        out += self._archivo()
        if "alembic_version" in self.cat.tablas:
            out += [
                "-- amauta: la revisión de Alembic que corresponde a este esquema",
                f"INSERT INTO \"alembic_version\" (\"version_num\") VALUES ('{revision}');",
                "",
            ]
        out += ["RESET check_function_bodies;"]
        return "\n".join(out).rstrip() + "\n"

    def _archivo(self) -> list[str]:
        """El archivo de años pasados (migración 0006, ``db archivar``): su propio esquema, que
        el cliente de Prisma no mira, con las mismas políticas por escuela que las tablas vivas.
        No está en el catálogo de referencia (que es de un solo esquema): se escribe aquí."""
        from amauta_cli.dialecto import por_nombre
        from amauta_cli.services.archivo import AUDITADAS, TABLAS

        if not set(TABLAS) <= set(self.cat.tablas):
            return []
        d = por_nombre("postgresql")
        out = ["-- amauta: el archivo de años pasados (db archivar), en un esquema que Prisma no mira"]
        for i, tabla in enumerate(TABLAS):
            sqls = d.sql_crear_archivo(tabla)
            out += [q + ";" for q in (sqls if i == 0 else sqls[1:])]
        out.append("")
        for tabla in AUDITADAS:
            destino = d.nombre_archivo(tabla)
            politicas = [o for o in self.cat.otros if o.clase == "politica" and o.tabla == tabla]
            if not politicas:
                continue
            out.append(f"ALTER TABLE {destino} ENABLE ROW LEVEL SECURITY;")
            for o in politicas:
                out.append(o.sql.replace(f" ON {_q(tabla)} ", f" ON {destino} ", 1))
            out.append("")
        if any(o.clase == "funcion" and o.nombre == "amauta_conceder_permisos()" for o in self.cat.otros):
            out += ["SELECT amauta_conceder_permisos();", ""]
        return out

    def _permisos_sql(self) -> list[str]:
        """Los permisos de los roles de amauta (los del rol de grupo de escuela) y las funciones
        que PUBLIC no puede ejecutar, como GRANT/REVOKE."""
        out: list[str] = []
        for p in self.cat.permisos:
            if p.rol == "PUBLIC" or p.clase == "esquema":
                continue
            privs = ", ".join(p.privilegios)
            sobre = {"tabla": "TABLE ", "secuencia": "SEQUENCE ", "funcion": "FUNCTION "}[p.clase]
            objeto = p.objeto if p.clase == "funcion" else _q(p.objeto)
            out += [f"GRANT {privs} ON {sobre}{objeto} TO {_q(p.rol)};"]
        esquema = [p for p in self.cat.permisos if p.clase == "esquema" and p.rol != "PUBLIC"]
        if esquema:
            # El esquema de la aplicación (public, o el de ?schema= en la URL de Prisma).
            out = [
                "DO $amauta$ BEGIN",
                *(
                    f"  EXECUTE pg_catalog.format('GRANT {', '.join(p.privilegios)} ON SCHEMA %I TO %I', "
                    f"pg_catalog.current_schema(), '{p.rol}');"
                    for p in esquema
                ),
                "END $amauta$;",
                *out,
            ]
        publicas = {p.objeto for p in self.cat.permisos if p.clase == "funcion" and p.rol == "PUBLIC"}
        for o in self.cat.otros:
            if o.clase == "funcion" and o.nombre not in publicas:
                out.append(f"REVOKE ALL ON FUNCTION {o.nombre} FROM PUBLIC;")
        if not out:
            return []
        return ["-- amauta: permisos del rol de grupo de escuela (seguridad por filas)", *out, ""]

    def _enums_en_orden(self) -> list[str]:
        """Los enums en el orden en que los usan las tablas (como los escribe Prisma)."""
        orden: list[str] = []
        for t in self.tablas:
            for c in t.columnas:
                e = c.tipo.rstrip("[]").strip('"')
                if e in self.cat.enums and e not in orden:
                    orden.append(e)
        return orden + sorted(set(self.cat.enums) - set(orden))

    def _tipo_sql(self, c: Columna) -> str:
        t = c.tipo
        lista = t.endswith("[]")
        base = t[:-2] if lista else t
        mapa = {
            "text": "TEXT", "integer": "INTEGER", "bigint": "BIGINT", "smallint": "SMALLINT",
            "double precision": "DOUBLE PRECISION", "real": "REAL", "boolean": "BOOLEAN",
            "jsonb": "JSONB", "json": "JSON", "uuid": "UUID", "bytea": "BYTEA", "date": "DATE",
            "tsvector": "TSVECTOR",
        }
        if base in mapa:
            base = mapa[base]
        elif base.strip('"') in self.cat.enums:
            base = _q(base.strip('"'))
        else:
            m = re.match(r"^timestamp\((\d)\) without time zone$", base)
            if m:
                base = f"TIMESTAMP({m.group(1)})"
            m2 = re.match(r"^character varying\((\d+)\)$", base)
            if m2:
                base = f"VARCHAR({m2.group(1)})"
        return base + ("[]" if lista else "")

    def _default_sql(self, c: Columna) -> str:
        d = c.default
        if d is None:
            return ""
        m = _LITERAL.match(d)
        if m and (m.group(2) in ("text", "character varying") or m.group(2).strip('"') in self.cat.enums):
            d = f"'{m.group(1)}'"
        return f" DEFAULT {d}"

    def _create_table(self, t: Tabla) -> str:
        lineas = [
            f"    {_q(c.nombre)} {self._tipo_sql(c)}{' NOT NULL' if c.no_nula else ''}{self._default_sql(c)},"
            for c in t.columnas
        ]
        if t.primaria is not None:
            lineas += ["", f"    CONSTRAINT {_q(t.primaria.nombre)} PRIMARY KEY ({', '.join(_q(c) for c in t.primaria.columnas)})"]
        else:
            lineas[-1] = lineas[-1].rstrip(",")
        return f"CREATE TABLE {_q(t.nombre)} (\n" + "\n".join(lineas) + "\n);"

    @staticmethod
    def _create_index(t: Tabla, i: Indice) -> str:
        if i.simple and i.columnas is not None and i.metodo == "btree":
            unico = "UNIQUE " if i.unico else ""
            cols = ", ".join(_q(c) + (" DESC" if c in i.descendentes else "") for c in i.columnas)
            return f"CREATE {unico}INDEX {_q(i.nombre)} ON {_q(t.nombre)}({cols});"
        if i.simple and i.columnas is not None:
            unico = "UNIQUE " if i.unico else ""
            return (
                f"CREATE {unico}INDEX {_q(i.nombre)} ON {_q(t.nombre)} USING {i.metodo.upper()} "
                f"({', '.join(_q(c) for c in i.columnas)});"
            )
        return i.definicion + ";"


def _sql_crear_rol(rol: str) -> str:
    lit = "'" + rol.replace("'", "''") + "'"
    return (
        "DO $amauta$ BEGIN\n"
        f"  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {lit}) THEN\n"
        f"    CREATE ROLE {_q(rol)} NOLOGIN;\n"
        "  END IF;\n"
        "END $amauta$;"
    )


_CLASE = {
    "extension": "extensión",
    "funcion": "función",
    "vista": "vista",
    "disparador": "disparador",
    "politica": "política",
    "secuencia": "secuencia",
}
