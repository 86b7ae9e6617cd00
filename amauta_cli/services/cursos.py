"""Cursos: alta, edición, listado, ficha, ciclo de vida y búsqueda de texto completo.

Ciclo de vida (``EstadoCurso`` del diseño)::

    BORRADOR --enviar-revision--> REVISION --publicar--> PUBLICADO --archivar--> ARCHIVADO
        ^                            |                                              |
        +----------reabrir-----------+----------------------reabrir----------------+

``archivar`` se aplica desde cualquier estado salvo ARCHIVADO. ``publicar`` pone
``publicadoEn`` y exige al menos una lección publicada (y un recurso en cada lección
DESCARGABLE publicada) y un educador activo; ``reabrir`` vuelve a BORRADOR y borra
``publicadoEn`` (el diseño lo reserva a los cursos publicados y archivados). Un curso
ARCHIVADO no se edita ni admite inscripciones.

Búsqueda: ``buscar`` usa el índice de búsqueda de cada motor (``dialecto.busqueda_cursos``,
migración 0004): sin acentos ni mayúsculas, por raíces en español, en título, descripción y
lecciones; ordenada por relevancia; fragmento resaltado con ``busqueda.fragmento``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amauta_cli.dialecto import dialecto
from amauta_cli.errores import DatosInvalidos, OperacionRechazada
from amauta_cli.ids import ahora
from amauta_cli.models import (
    Categoria,
    Curso,
    EstadoCurso,
    EstadoInscripcion,
    Inscripcion,
    Leccion,
    Nivel,
    Recurso,
    TipoLeccion,
    Usuario,
)
from amauta_cli.parsing import elegir_enum
from amauta_cli.services.comun import (
    Cambio,
    buscar_categoria,
    buscar_curso,
    buscar_usuario,
    exigir_educador_activo,
    slug_libre,
    slugificar,
    validar_slug,
)

NIVELES = [n.value for n in Nivel]
ESTADOS = [e.value for e in EstadoCurso]

#: acción → (estados de origen, estado de destino)
TRANSICIONES: dict[str, tuple[frozenset[EstadoCurso], EstadoCurso]] = {
    "enviar-revision": (frozenset({EstadoCurso.BORRADOR}), EstadoCurso.REVISION),
    "publicar": (frozenset({EstadoCurso.REVISION}), EstadoCurso.PUBLICADO),
    "archivar": (
        frozenset({EstadoCurso.BORRADOR, EstadoCurso.REVISION, EstadoCurso.PUBLICADO}),
        EstadoCurso.ARCHIVADO,
    ),
    "reabrir": (frozenset({EstadoCurso.REVISION, EstadoCurso.ARCHIVADO}), EstadoCurso.BORRADOR),
}


def elegir_nivel(texto: str) -> Nivel:
    return Nivel(elegir_enum(texto, NIVELES, "nivel"))


def elegir_estado(texto: str) -> EstadoCurso:
    return EstadoCurso(elegir_enum(texto, ESTADOS, "estado"))


def _duracion(valor: int | None, campo: str = "duracion") -> int | None:
    if valor is None:
        return None
    if valor < 1 or valor > 100_000:
        raise DatosInvalidos(f"{campo}: {valor} no es una duración válida en minutos (de 1 a 100.000).")
    return valor


def _idioma(texto: str) -> str:
    t = texto.strip().lower()
    if not (2 <= len(t) <= 8 and all(p.isalpha() for p in t.split("-"))):
        raise DatosInvalidos(f"idioma: '{texto}' no es un código de idioma (p. ej. es, en, pt-BR).")
    return t


# --- Alta y edición ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CursoCreado:
    id: str
    titulo: str
    slug: str
    estado: str


def _campos_validos(
    que_no: str,
    *,
    titulo: str | None,
    descripcion: str | None,
    nivel: str | None,
    duracion: int | None,
    idioma: str | None,
    slug: str | None,
) -> dict[str, Any]:
    """Valida los campos dados (``None`` = no vino) y devuelve sus valores normalizados; con
    algún problema, un solo ``DatosInvalidos`` que los nombra todos ("Datos inválidos; <que_no>:")."""
    problemas: list[str] = []
    valores: dict[str, Any] = {}
    for campo, texto in (("titulo", titulo), ("descripcion", descripcion)):
        if texto is None:
            continue
        valores[campo] = " ".join(texto.split()) if campo == "titulo" else texto.strip()
        if not valores[campo]:
            problemas.append(f"{campo}: no puede estar {'vacío' if campo == 'titulo' else 'vacía'}")
    for campo, funcion, arg in (
        ("nivel", elegir_nivel, nivel),
        ("duracion", _duracion, duracion),
        ("idioma", _idioma, idioma),
        ("slug", validar_slug, slug),
    ):
        if arg is None:
            continue
        try:
            valores[campo] = funcion(arg)
        except DatosInvalidos as e:
            problemas.append(e.mensaje)
    if problemas:
        raise DatosInvalidos(f"Datos inválidos; {que_no}:", problemas)
    return valores


def crear(
    s: Session,
    titulo: str,
    descripcion: str,
    educador: str,
    categoria: str,
    nivel: str,
    duracion: int | None = None,
    idioma: str = "es",
    slug: str | None = None,
    imagen: str | None = None,
) -> CursoCreado:
    valores = _campos_validos(
        "no se creó el curso",
        titulo=titulo, descripcion=descripcion, nivel=nivel, duracion=duracion, idioma=idioma, slug=slug,
    )
    titulo, descripcion = valores["titulo"], valores["descripcion"]
    edu = exigir_educador_activo(s, educador)
    cat = buscar_categoria(s, categoria)
    if "slug" in valores:
        if s.scalar(select(Curso.titulo).where(Curso.slug == valores["slug"])) is not None:
            raise DatosInvalidos(f"slug: '{valores['slug']}' ya es el de otro curso.")
        slug_final = valores["slug"]
    else:
        slug_final = slug_libre(s, Curso.slug, slugificar(titulo))
    t = ahora()
    c = Curso(
        titulo=titulo,
        descripcion=descripcion,
        slug=slug_final,
        educadorId=edu.id,
        categoriaId=cat.id,
        nivel=valores["nivel"],
        estado=EstadoCurso.BORRADOR,
        imagen=(imagen or "").strip() or None,
        duracion=valores.get("duracion"),
        idioma=valores.get("idioma", "es"),
        createdAt=t,
        updatedAt=t,
    )
    s.add(c)
    s.flush()
    return CursoCreado(c.id, c.titulo, c.slug, c.estado.value)


def exigir_editable(c: Curso) -> None:
    if c.estado == EstadoCurso.ARCHIVADO:
        raise OperacionRechazada(
            f"El curso '{c.slug}' está ARCHIVADO: no admite cambios. "
            f"Reábralo con `amauta cursos reabrir {c.slug}` (vuelve a BORRADOR)."
        )


def editar(
    s: Session,
    curso: str,
    *,
    titulo: str | None = None,
    descripcion: str | None = None,
    slug: str | None = None,
    educador: str | None = None,
    categoria: str | None = None,
    nivel: str | None = None,
    duracion: int | None = None,
    idioma: str | None = None,
    imagen: str | None = None,
) -> tuple[str, list[Cambio]]:
    """Cambia lo indicado (``None`` = no tocar). Devuelve el slug y los cambios efectivos."""
    nuevos = _campos_validos(
        "no se modificó el curso",
        titulo=titulo, descripcion=descripcion, nivel=nivel, duracion=duracion, idioma=idioma, slug=slug,
    )
    if imagen is not None:
        nuevos["imagen"] = imagen.strip() or None
    c = buscar_curso(s, curso, bloquear=True)
    exigir_editable(c)
    if educador is not None:
        nuevos["educadorId"] = exigir_educador_activo(s, educador).id
    if categoria is not None:
        nuevos["categoriaId"] = buscar_categoria(s, categoria).id
    if "slug" in nuevos and nuevos["slug"] != c.slug:
        if s.scalar(select(Curso.titulo).where(Curso.slug == nuevos["slug"], Curso.id != c.id)):
            raise DatosInvalidos(f"slug: '{nuevos['slug']}' ya es el de otro curso.")
    cambios = [Cambio(k, getattr(c, k), v) for k, v in nuevos.items() if getattr(c, k) != v]
    for cambio in cambios:
        setattr(c, cambio.campo, cambio.despues)
    if cambios:
        c.updatedAt = ahora()
        s.flush()
    return c.slug, cambios


# --- Ciclo de vida ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transicion:
    slug: str
    titulo: str
    antes: str
    despues: str
    publicadoEn: datetime | None


def _acciones_desde(estado: EstadoCurso) -> str:
    posibles = [
        f"{accion} (→ {destino.value})"
        for accion, (origenes, destino) in TRANSICIONES.items()
        if estado in origenes
    ]
    return ", ".join(posibles) if posibles else "ninguna"


def motivos_para_publicar(s: Session, c: Curso) -> list[str]:
    """Por qué el curso no se puede publicar (lista vacía si se puede)."""
    motivos: list[str] = []
    lecciones = s.execute(
        select(
            Leccion.orden,
            Leccion.titulo,
            Leccion.tipo,
            Leccion.publicada,
            select(func.count(Recurso.id)).where(Recurso.leccionId == Leccion.id).scalar_subquery(),
        ).where(Leccion.cursoId == c.id).order_by(Leccion.orden)
    ).all()
    if not lecciones:
        motivos.append("no tiene lecciones (agréguelas con `amauta lecciones agregar`)")
    elif not any(l.publicada for l in lecciones):
        motivos.append(
            ("su única lección no está publicada" if len(lecciones) == 1
             else f"ninguna de sus {len(lecciones)} lecciones está publicada")
            + " (publique al menos una con `amauta lecciones publicar`)"
        )
    for l in lecciones:
        if l.publicada and l.tipo == TipoLeccion.DESCARGABLE and not l[4]:
            motivos.append(
                f"la lección {l.orden} ('{l.titulo}') es DESCARGABLE y no tiene recursos"
            )
    edu = s.get(Usuario, c.educadorId)
    if edu is not None and not edu.activo:
        motivos.append(f"su educador, '{edu.email}', está inactivo")
    return motivos


def cambiar_estado(s: Session, curso: str, accion: str) -> Transicion:
    origenes, destino = TRANSICIONES[accion]
    c = buscar_curso(s, curso, bloquear=True)
    antes = c.estado
    if antes not in origenes:
        permitidos = ", ".join(sorted(e.value for e in origenes))
        raise OperacionRechazada(
            f"No se puede aplicar '{accion}' al curso '{c.slug}': está en {antes.value}, y "
            f"'{accion}' se aplica a cursos en {permitidos}. Desde {antes.value} se puede: "
            f"{_acciones_desde(antes)}."
        )
    if accion == "publicar":
        motivos = motivos_para_publicar(s, c)
        if motivos:
            raise OperacionRechazada(
                f"No se publicó el curso '{c.slug}'; sigue en {antes.value}:", motivos
            )
        c.publicadoEn = ahora()
    elif accion == "enviar-revision":
        if not s.scalar(select(func.count(Leccion.id)).where(Leccion.cursoId == c.id)):
            raise OperacionRechazada(
                f"El curso '{c.slug}' no tiene lecciones: agregue al menos una con "
                "`amauta lecciones agregar` antes de enviarlo a revisión."
            )
    elif accion == "reabrir":
        c.publicadoEn = None
    c.estado = destino
    c.updatedAt = ahora()
    s.flush()
    return Transicion(c.slug, c.titulo, antes.value, destino.value, c.publicadoEn)


# --- Listado y ficha --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilaCurso:
    id: str
    titulo: str
    slug: str
    categoria: str
    educador: str
    nivel: str
    estado: str
    duracion: int | None
    lecciones: int
    inscriptos: int
    publicadoEn: datetime | None


@dataclass(frozen=True)
class Pagina:
    filas: list[Any]
    total: int
    pagina: int
    por_pagina: int

    @property
    def paginas(self) -> int:
        return max(1, -(-self.total // self.por_pagina))


def _columnas_fila() -> list[Any]:
    return [
        Curso.id,
        Curso.titulo,
        Curso.slug,
        Categoria.nombre.label("categoria"),
        Usuario.email.label("educador"),
        Curso.nivel,
        Curso.estado,
        Curso.duracion,
        select(func.count(Leccion.id)).where(Leccion.cursoId == Curso.id).scalar_subquery(),
        select(func.count(Inscripcion.id))
        .where(Inscripcion.cursoId == Curso.id)
        .scalar_subquery(),
        Curso.publicadoEn,
    ]


def _fila(f: Any) -> FilaCurso:
    valores = list(f)
    valores[5] = valores[5].value
    valores[6] = valores[6].value
    return FilaCurso(*valores)


def listar(
    s: Session,
    estado: str | None = None,
    categoria: str | None = None,
    educador: str | None = None,
    nivel: str | None = None,
    pagina: int = 1,
    por_pagina: int = 50,
) -> Pagina:
    if pagina < 1 or por_pagina < 1:
        raise DatosInvalidos("--pagina y --por-pagina deben ser enteros de 1 en adelante.")
    condiciones = []
    if estado:
        condiciones.append(Curso.estado == elegir_estado(estado))
    if nivel:
        condiciones.append(Curso.nivel == elegir_nivel(nivel))
    if categoria:
        condiciones.append(Curso.categoriaId == buscar_categoria(s, categoria).id)
    if educador:
        condiciones.append(Curso.educadorId == buscar_usuario(s, educador).id)
    total = s.scalar(select(func.count(Curso.id)).where(*condiciones)) or 0
    consulta = (
        select(*_columnas_fila())
        .join(Categoria, Categoria.id == Curso.categoriaId)
        .join(Usuario, Usuario.id == Curso.educadorId)
        .where(*condiciones)
        .order_by(dialecto(s).orden_es(Curso.titulo), Curso.slug)
        .limit(por_pagina)
        .offset((pagina - 1) * por_pagina)
    )
    return Pagina([_fila(f) for f in s.execute(consulta)], total, pagina, por_pagina)


@dataclass(frozen=True)
class FilaLeccion:
    orden: int
    titulo: str
    tipo: str
    duracion: int | None
    publicada: bool
    recursos: int
    id: str


@dataclass(frozen=True)
class DetalleCurso:
    curso: FilaCurso
    descripcion: str
    educador_nombre: str
    idioma: str
    imagen: str | None
    createdAt: datetime
    updatedAt: datetime
    lecciones: list[FilaLeccion] = field(default_factory=list)
    inscripciones: dict[str, int] = field(default_factory=dict)


def filas_lecciones(s: Session, curso_id: str) -> list[FilaLeccion]:
    filas = s.execute(
        select(
            Leccion.orden,
            Leccion.titulo,
            Leccion.tipo,
            Leccion.duracion,
            Leccion.publicada,
            select(func.count(Recurso.id)).where(Recurso.leccionId == Leccion.id).scalar_subquery(),
            Leccion.id,
        )
        .where(Leccion.cursoId == curso_id)
        .order_by(Leccion.orden, Leccion.createdAt, Leccion.id)
    ).all()
    return [FilaLeccion(f[0], f[1], f[2].value, f[3], f[4], f[5], f[6]) for f in filas]


def ver(s: Session, curso: str) -> DetalleCurso:
    c = buscar_curso(s, curso)
    fila = s.execute(
        select(*_columnas_fila(), Usuario.nombre, Usuario.apellido)
        .join(Categoria, Categoria.id == Curso.categoriaId)
        .join(Usuario, Usuario.id == Curso.educadorId)
        .where(Curso.id == c.id)
    ).one()
    conteos = dict(
        s.execute(
            select(Inscripcion.estado, func.count(Inscripcion.id))
            .where(Inscripcion.cursoId == c.id)
            .group_by(Inscripcion.estado)
        ).all()
    )
    return DetalleCurso(
        curso=_fila(fila[:11]),
        descripcion=c.descripcion,
        educador_nombre=f"{fila[11]} {fila[12]}",
        idioma=c.idioma,
        imagen=c.imagen,
        createdAt=c.createdAt,
        updatedAt=c.updatedAt,
        lecciones=filas_lecciones(s, c.id),
        inscripciones={e.value: int(conteos.get(e, 0)) for e in EstadoInscripcion},
    )


# --- Búsqueda ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResultadoBusqueda:
    slug: str
    titulo: str
    categoria: str
    nivel: str
    estado: str
    rango: float
    fragmento: str
    id: str


@dataclass(frozen=True)
class Busqueda:
    texto: str
    resultados: list[ResultadoBusqueda]
    total: int
    solo_publicados: bool


def buscar(
    s: Session, texto: str, todos: bool = False, limite: int = 20, pagina: int = 1
) -> Busqueda:
    """Los cursos que contienen todas las palabras de ``texto``, el más relevante primero."""
    from amauta_cli import busqueda as analisis

    if not texto.strip():
        raise DatosInvalidos("Indique qué buscar, p. ej. `amauta cursos buscar geometria`.")
    if not analisis.raices(texto):
        raise DatosInvalidos(
            f"'{texto.strip()}' solo tiene palabras demasiado comunes para buscar (de, la, el...): "
            "agregue alguna palabra con contenido."
        )
    if limite < 1 or pagina < 1:
        raise DatosInvalidos("--limite y --pagina deben ser enteros de 1 en adelante.")
    d = dialecto(s)
    # Una búsqueda es una consulta corta: los trabajadores paralelos tardan más en arrancar.
    d.sin_paralelismo(s.connection())
    b = d.busqueda_cursos(texto, solo_publicados=not todos)
    # El índice sabe qué cursos están publicados (migración 0007): el conteo y el corte no leen
    # "Curso". De "Curso" se leen solo los cursos con rango de la página o mejor: el rango del
    # último de la página es el corte (los empates en ese rango se ordenan por título).
    fila = s.execute(
        select(b.c.rango, func.count().over())
        .order_by(b.c.rango.desc())
        .offset(pagina * limite - 1)
        .limit(1)
    ).first()
    if fila is None:  # menos coincidencias que las de hasta esta página: se cuentan aparte
        corte, total = None, s.scalar(select(func.count()).select_from(b)) or 0
    else:
        corte, total = fila
    filas = s.execute(
        select(
            Curso.id,
            Curso.slug,
            Curso.titulo,
            Curso.descripcion,
            Categoria.nombre,
            Curso.nivel,
            Curso.estado,
            b.c.rango,
        )
        .select_from(b)
        .join(Curso, b.c.curso_id == Curso.id)
        .join(Categoria, Categoria.id == Curso.categoriaId)
        .where(*([] if corte is None else [b.c.rango >= corte]))
        .order_by(b.c.rango.desc(), Curso.titulo, Curso.id)
        .limit(limite)
        .offset((pagina - 1) * limite)
    ).all()
    lecciones: dict[str, list[tuple[int, str, str | None]]] = {}
    if filas:
        for cid, orden, titulo, desc in s.execute(
            select(Leccion.cursoId, Leccion.orden, Leccion.titulo, Leccion.descripcion)
            .where(Leccion.cursoId.in_([f.id for f in filas]))
            .order_by(Leccion.cursoId, Leccion.orden)
        ):
            lecciones.setdefault(cid, []).append((orden, titulo, desc))
    resultados = []
    for f in filas:
        textos: list[tuple[str, str | None]] = [("", f.descripcion), ("", f.titulo)]
        for orden, titulo, desc in lecciones.get(f.id, []):
            textos.append((f"Lección {orden}", analisis.unir([titulo, desc and f"— {desc}"])))
        resultados.append(
            ResultadoBusqueda(
                f.slug, f.titulo, f[4], f.nivel.value, f.estado.value, float(f.rango),
                analisis.fragmento(texto, textos), f.id,
            )
        )
    return Busqueda(texto.strip(), resultados, int(total), not todos)


def reindexar(s: Session) -> int:
    """Recalcula el índice de búsqueda de todos los cursos; devuelve cuántos cursos hay."""
    dialecto(s).reindexar_busqueda(s.connection())
    return int(s.scalar(select(func.count(Curso.id))) or 0)


def ids_de(s: Session, cursos: Sequence[str]) -> list[str]:
    return [buscar_curso(s, c).id for c in cursos]
