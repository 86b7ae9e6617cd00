"""Búsquedas compartidas por las áreas: usuarios por email, instituciones y grupos por
nombre o id, y una comparación sin acentos que funciona igual en ambos motores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from amauta_cli.dialecto import sin_acentos_sql  # noqa: F401 - re-exportado (un solo hogar)

from amauta_cli.dialecto import orden_es
from amauta_cli.errores import NoEncontrado, OperacionRechazada
from amauta_cli.parsing import normalizar_email, sin_acentos

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from amauta_cli.models import Grupo, Institucion, Usuario


@dataclass
class Cambio:
    """Un campo que un comando ``editar`` cambió: qué era y qué es ahora."""

    campo: str
    antes: Any
    despues: Any


# --- Búsquedas en SQL a secas ---------------------------------------------------------------
# Un único código para ambos caminos: los comandos de todos los días las llaman con una
# ``db.Cruda`` (sin SQLAlchemy) y el resto con una sesión, que ``cruda()`` adapta (en la misma
# transacción). Las versiones ORM de más abajo (``buscar_grupo``...) devuelven el objeto del
# modelo que estas encuentran.
@dataclass(frozen=True)
class GrupoEncontrado:
    id: str
    nombre: str
    activo: bool
    institucion_id: str
    institucion: str  # su nombre


@dataclass(frozen=True)
class UsuarioEncontrado:
    id: str
    email: str
    nombre: str
    apellido: str
    rol: str
    activo: bool


def _patron_like(texto: str) -> str:
    """``%texto%`` con ``/`` como escape (``LIKE ... ESCAPE '/'``), como ``contains(autoescape)``."""
    return "%" + texto.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def usuario_por_email(con: Any, email: str) -> UsuarioEncontrado:
    """El usuario con ese email (sin distinguir mayúsculas)."""
    from amauta_cli.db import cruda

    c = cruda(con)
    e = normalizar_email(email)
    f = c.uno(
        'SELECT id, email, nombre, apellido, rol, activo FROM "Usuario" WHERE lower(email) = :e',
        e=e,
    )
    if f is None:
        raise NoEncontrado(f"No existe un usuario con el email '{e}'.")
    return UsuarioEncontrado(f[0], f[1], f[2], f[3], str(f[4]), bool(f[5]))


def institucion_por_nombre(con: Any, nombre_o_id: str) -> tuple[str, str]:
    """(id, nombre) de una institución por id o por nombre (sin mayúsculas ni acentos); si no
    hay coincidencia exacta, por palabras de su nombre que sean de una sola institución."""
    from amauta_cli.db import cruda

    c = cruda(con)
    d = c.d
    texto = nombre_o_id.strip()
    fila = c.uno('SELECT id, nombre FROM "Institucion" WHERE id = :t', t=texto)
    if fila is not None:
        return fila[0], fila[1]
    plegado = d.sin_acentos_sql_texto("nombre")
    candidatas = c.filas(
        f'SELECT id, nombre FROM "Institucion" WHERE {plegado} = :n', n=sin_acentos(texto)
    )
    if not candidatas and sin_acentos(texto):
        # Sin coincidencia exacta, sirven palabras del nombre si son de UNA sola institución
        # ("Escuela Nº 42" por 'Escuela Primaria Nº 42 "Bernardino Rivadavia"').
        palabras = sin_acentos(texto).split()
        condiciones = " AND ".join(f"{plegado} LIKE :p{i} ESCAPE '/'" for i in range(len(palabras)))
        candidatas = c.filas(
            f'SELECT id, nombre FROM "Institucion" WHERE {condiciones} '
            f"ORDER BY {d.orden_es_sql('nombre')} LIMIT 6",
            **{f"p{i}": _patron_like(p) for i, p in enumerate(palabras)},
        )
        if len(candidatas) > 1:
            nombres = ", ".join(f"'{n}'" for _, n in candidatas[:5])
            raise NoEncontrado(
                f"'{texto}' coincide con varias instituciones ({nombres}"
                f"{', ...' if len(candidatas) > 5 else ''}); escriba el nombre completo o el id."
            )
    if not candidatas:
        raise NoEncontrado(
            f"No existe la institución '{texto}'. Vea las existentes con `amauta instituciones listar`."
        )
    if len(candidatas) > 1:
        ids = ", ".join(i for i, _ in candidatas)
        raise NoEncontrado(
            f"Hay {len(candidatas)} instituciones llamadas '{texto}'; nómbrela por su id ({ids})."
        )
    return candidatas[0][0], candidatas[0][1]


_SQL_GRUPO = (
    'SELECT g.id, g.nombre, g.activo, g."institucionId", i.nombre FROM "Grupo" g '
    'JOIN "Institucion" i ON i.id = g."institucionId" '
)


def grupo_por_nombre(
    con: Any, nombre_o_id: str, institucion: str | None = None, exigir_activo: bool = False
) -> GrupoEncontrado:
    """Un grupo por id, o por nombre dentro de su institución (``institucion`` si hay ambigüedad)."""
    from amauta_cli.db import cruda

    c = cruda(con)
    texto = nombre_o_id.strip()
    fila = c.uno(_SQL_GRUPO + "WHERE g.id = :t", t=texto)
    if fila is None:
        params: dict[str, Any] = {"n": sin_acentos(texto)}
        donde_inst = ""
        if institucion:
            params["inst"] = institucion_por_nombre(c, institucion)[0]
            donde_inst = ' AND g."institucionId" = :inst'
        candidatos = c.filas(
            _SQL_GRUPO + f"WHERE {c.d.sin_acentos_sql_texto('g.nombre')} = :n{donde_inst}", **params
        )
        if not candidatos:
            donde = f" en la institución '{institucion}'" if institucion else ""
            raise NoEncontrado(
                f"No existe el grupo '{texto}'{donde}. Vea los grupos con `amauta grupos listar`."
            )
        if len(candidatos) > 1 and len({f[3] for f in candidatos}) == 1:
            ids = ", ".join(sorted(f[0] for f in candidatos))
            raise NoEncontrado(
                f"Hay {len(candidatos)} grupos llamados '{texto}' en la institución "
                f"'{candidatos[0][4]}'; nombre el grupo por su id ({ids})."
            )
        if len(candidatos) > 1:
            nombres = ", ".join(sorted(f"'{f[4]}'" for f in candidatos))
            raise NoEncontrado(
                f"El nombre de grupo '{texto}' existe en varias instituciones ({nombres}); "
                "indique cuál con --institucion, o nombre el grupo por su id."
            )
        fila = candidatos[0]
    g = GrupoEncontrado(fila[0], fila[1], bool(fila[2]), fila[3], fila[4])
    if exigir_activo and not g.activo:
        raise OperacionRechazada(
            f"El grupo '{g.nombre}' está inactivo: no admite cambios. Actívelo o elija otro grupo."
        )
    return g


def estudiantes_del_grupo(con: Any, grupo_id: str) -> list[dict[str, Any]]:
    """Los estudiantes de un grupo, en una consulta, en orden alfabético español.

    Cada uno con ``id``, ``email``, ``nombre``, ``apellido``, ``matricula`` y ``activo``:
    lo que hace falta para validar en memoria un CSV o una lista de emails del grupo.
    ``con``: una sesión o conexión de SQLAlchemy, o una ``db.Cruda``.
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    o = c.d.orden_es_sql
    filas = c.dicts(
        'SELECT u.id, u.email, u.nombre, u.apellido, u.activo, p.matricula FROM "GrupoEstudiante" ge '
        'JOIN "Usuario" u ON u.id = ge."estudianteId" '
        'LEFT JOIN "Perfil" p ON p."usuarioId" = u.id '
        'WHERE ge."grupoId" = :g '
        f"ORDER BY {o('u.apellido')}, {o('u.nombre')}, u.email",
        g=grupo_id,
    )
    for f in filas:
        f["activo"] = bool(f["activo"])
    return filas


# --- Búsquedas con la sesión del ORM ------------------------------------------------------------
def buscar_usuario(s: Session, email: str) -> Usuario:
    """El usuario con ese email (sin distinguir mayúsculas)."""
    from amauta_cli.models import Usuario

    return s.get(Usuario, usuario_por_email(s, email).id)


def buscar_institucion(s: Session, nombre_o_id: str) -> Institucion:
    """Una institución por id o por nombre (sin distinguir mayúsculas ni acentos)."""
    from amauta_cli.models import Institucion

    return s.get(Institucion, institucion_por_nombre(s, nombre_o_id)[0])


def buscar_grupo(
    s: Session, nombre_o_id: str, institucion: str | None = None, exigir_activo: bool = False
) -> Grupo:
    """Un grupo por id, o por nombre dentro de su institución (``institucion`` si hay ambigüedad)."""
    from amauta_cli.models import Grupo

    return s.get(Grupo, grupo_por_nombre(s, nombre_o_id, institucion, exigir_activo).id)


# --- Cursos, categorías y lecciones ------------------------------------------------------------
_NO_SLUG = re.compile(r"[^a-z0-9]+")
PATRON_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugificar(texto: str) -> str:
    """``'Introducción a la Física'`` → ``'introduccion-a-la-fisica'`` (sin acentos, minúsculas)."""
    return _NO_SLUG.sub("-", sin_acentos(texto)).strip("-")


def slug_libre(s: Session, columna: Any, base: str, excepto_id: str | None = None) -> str:
    """``base`` si nadie lo usa; si no, ``base-2``, ``base-3``... (una consulta)."""
    from sqlalchemy import select

    base = base or "sin-titulo"
    id_col = columna.table.c.id
    consulta = select(columna).where(
        (columna == base) | columna.like(f"{base}-%", escape="\\")
    )
    if excepto_id is not None:
        consulta = consulta.where(id_col != excepto_id)
    usados = set(s.scalars(consulta))
    if base not in usados:
        return base
    n = 2
    while f"{base}-{n}" in usados:
        n += 1
    return f"{base}-{n}"


def validar_slug(texto: str, campo: str = "slug") -> str:
    from amauta_cli.errores import DatosInvalidos

    t = texto.strip()
    if not PATRON_SLUG.fullmatch(t):
        raise DatosInvalidos(
            f"{campo}: '{t}' no es un slug válido: solo minúsculas sin acentos, dígitos y guiones "
            f"entre palabras (p. ej. '{slugificar(t) or 'geometria-plana'}')."
        )
    return t


def buscar_categoria(s: Session, texto: str) -> Any:
    """Una categoría por id, slug o nombre (sin mayúsculas ni acentos)."""
    from sqlalchemy import select

    from amauta_cli.models import Categoria

    t = texto.strip()
    c = s.get(Categoria, t) or s.scalar(select(Categoria).where(Categoria.slug == t))
    if c is None:
        c = s.scalar(select(Categoria).where(sin_acentos_sql(Categoria.nombre) == sin_acentos(t)))
    if c is None:
        raise NoEncontrado(
            f"No existe la categoría '{t}'. Vea las existentes con `amauta categorias listar`."
        )
    return c


def buscar_curso(s: Session, texto: str, bloquear: bool = False) -> Any:
    """Un curso por id, slug o título (sin mayúsculas ni acentos; si el título se repite, pide
    el slug). ``bloquear``: ``SELECT ... FOR UPDATE`` (en SQLite ya serializa BEGIN IMMEDIATE)."""
    from sqlalchemy import select

    from amauta_cli.models import Curso

    t = texto.strip()

    def uno(condicion: Any) -> Any:
        consulta = select(Curso).where(condicion)
        if bloquear:
            consulta = consulta.with_for_update()
        return s.scalar(consulta)

    c = uno(Curso.id == t) or uno(Curso.slug == t)
    if c is None and t:
        candidatos = list(
            s.scalars(
                select(Curso).where(sin_acentos_sql(Curso.titulo) == sin_acentos(t)).limit(6)
            )
        )
        if len(candidatos) > 1:
            slugs = ", ".join(x.slug for x in candidatos[:5])
            raise NoEncontrado(
                f"Hay {len(candidatos)} cursos titulados '{t}'; nómbrelo por su slug ({slugs})."
            )
        if candidatos:
            c = uno(Curso.id == candidatos[0].id)
    if c is None:
        raise NoEncontrado(
            f"No existe el curso '{t}' (se busca por slug, id o título). "
            "Vea los cursos con `amauta cursos listar` o búsquelo con `amauta cursos buscar`."
        )
    return c


def buscar_leccion(s: Session, curso: Any, texto: str) -> Any:
    """Una lección de ``curso`` por su número de orden, su id o su título (sin acentos)."""
    from sqlalchemy import select

    from amauta_cli.models import Leccion

    t = texto.strip()
    condicion = None
    if t.isdigit():
        condicion = Leccion.orden == int(t)
    l = s.scalar(select(Leccion).where(Leccion.cursoId == curso.id, condicion if condicion is not None else Leccion.id == t))
    if l is None and condicion is None:
        l = s.scalar(
            select(Leccion).where(
                Leccion.cursoId == curso.id, sin_acentos_sql(Leccion.titulo) == sin_acentos(t)
            ).limit(1)
        )
    if l is None:
        raise NoEncontrado(
            f"El curso '{curso.slug}' no tiene la lección '{t}' (por número de orden, id o título). "
            f"Vea sus lecciones con `amauta lecciones listar {curso.slug}`."
        )
    return l


def buscar_leccion_por_referencia(s: Session, referencia: str, curso: str | None = None) -> Any:
    """Una lección por ``CURSO/N`` (``algebra-basica/4``), por su id, o con ``curso`` aparte."""
    from amauta_cli.models import Leccion

    t = referencia.strip()
    if curso:
        return buscar_leccion(s, buscar_curso(s, curso), t)
    l = s.get(Leccion, t)
    if l is not None:
        return l
    if "/" in t:
        c, _, n = t.rpartition("/")
        return buscar_leccion(s, buscar_curso(s, c), n)
    raise NoEncontrado(
        f"No existe la lección '{t}': nómbrela como CURSO/N (p. ej. algebra-basica/4), por su id, "
        "o indique el curso con --curso."
    )


def exigir_educador_activo(s: Session, email: str) -> Usuario:
    from amauta_cli.models import Rol

    u = buscar_usuario(s, email)
    if u.rol != Rol.EDUCADOR:
        raise OperacionRechazada(
            f"'{u.email}' tiene rol {u.rol.value}: el educador de un curso debe tener rol EDUCADOR."
        )
    if not u.activo:
        raise OperacionRechazada(
            f"'{u.email}' está inactivo: actívelo con `amauta usuarios activar {u.email}` o elija otro educador."
        )
    return u
