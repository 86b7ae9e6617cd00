"""La capa de salida: el único lugar que convierte un resultado en texto para el usuario.

Un comando describe su resultado y lo entrega; no decide formatos ni formatea números:

    from amauta_cli import salida
    from amauta_cli.salida import Columna, Vista

    vista = Vista(
        titulo="Alertas de inasistencia",
        columnas=[
            Columna("estudiante", "Estudiante", "nombre", prioridad=0),
            Columna("email", "Email", "email"),
            Columna("ausencias", "Ausencias", "entero"),
            Columna("porcentaje", "Asistencia", "porcentaje", prioridad=2),
        ],
        filas=filas,                  # dicts, dataclasses, tuplas o filas de SQLAlchemy
        totales={"estudiante": "Total", "ausencias": 12},
        notas=["Se cuentan solo los días hábiles."],
    )
    salida.emitir(vista, formato)     # tabla, json, csv o excel

Formatos:
- ``tabla`` (para leer): coma decimal, punto de miles, fechas dd/mm/aaaa; legible a 80
  columnas: los títulos nunca se cortan a una letra, los emails nunca se cortan, los nombres se
  parten solo entre palabras; las columnas de menor prioridad que no entran pasan a una segunda
  tabla debajo, con una nota. El texto del usuario nunca se interpreta como marcado.
- ``json`` y ``csv`` (para scripts): claves estables, números con punto, fechas ISO; en streaming.
- ``excel`` (para abrir en Excel en español): ``;``, coma decimal, dd/mm/aaaa, UTF-8 con BOM,
  CRLF, y las celdas de texto que empiezan con ``=``, ``+``, ``-``, ``@``, tabulador o retorno
  neutralizadas con un ``'`` inicial (los importadores lo quitan: ver ``csvio``).
- ``html``: páginas imprimibles, en ``salida.html``.

Tipos de columna (``Columna.tipo``): ``texto``, ``nombre`` (se parte entre palabras), ``email``
(nunca se corta), ``codigo`` (ids, slugs: nunca se corta), ``entero``, ``decimal``, ``nota``,
``porcentaje`` (de 0 a 100), ``fecha``, ``fecha_hora``, ``bool``, ``tamano`` (bytes),
``duracion`` (segundos), ``lista``. Los numéricos se alinean a la derecha.

Mensajes (a stderr, nunca marcado): ``info``, ``exito``, ``aviso``, ``error``; barras de
progreso: ``progreso``.

Sin Rich ni SQLAlchemy a nivel de módulo: se importa en el arranque de todos los comandos.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import Annotated, Any, Callable, Iterable, Iterator, Mapping, Sequence, Union

import typer

from amauta_cli import textos


class Formato(str, Enum):
    tabla = "tabla"
    json = "json"
    csv = "csv"
    excel = "excel"


class FormatoArchivo(str, Enum):
    """Los formatos de una exportación (``exportar``): para archivos, sin ``tabla``."""

    csv = "csv"
    json = "json"
    excel = "excel"


OpcionFormato = Annotated[
    Formato,
    typer.Option(
        "--formato",
        "-f",
        help=(
            "Formato de salida: tabla (para leer), json o csv (para scripts), excel (CSV con ';' "
            "y coma decimal que Excel en español abre directamente)."
        ),
        case_sensitive=False,
    ),
]

TIPOS = (
    "texto", "nombre", "email", "codigo", "entero", "decimal", "nota", "porcentaje",
    "fecha", "fecha_hora", "bool", "tamano", "duracion", "lista",
)
NUMERICOS = frozenset({"entero", "decimal", "nota", "porcentaje", "tamano", "duracion"})


@dataclass(frozen=True)
class Columna:
    """Una columna: ``clave`` (estable, para json/csv), ``titulo`` (en español, para personas),
    ``tipo`` (ver el módulo), ``prioridad`` (0 = imprescindible; a mayor número, antes se muda
    debajo cuando la tabla no entra en la terminal), ``alinear`` (``izq``/``der``; por defecto
    según el tipo) y ``decimales`` (para ``decimal`` y ``porcentaje``)."""

    clave: str
    titulo: str
    tipo: str = "texto"
    prioridad: int = 1
    alinear: str | None = None
    decimales: int | None = None
    #: Lo que leen las personas (tabla, html) donde no hay valor (p. ej. ``"sin nota"``);
    #: json, csv y excel dejan el valor vacío.
    vacio: str = ""

    def __post_init__(self) -> None:
        if self.tipo not in TIPOS:  # pragma: no cover - error de programación
            raise ValueError(f"tipo de columna desconocido: {self.tipo!r}")
        if self.alinear not in (None, "izq", "der", "centro"):  # pragma: no cover
            raise ValueError(f"alineación desconocida: {self.alinear!r}")

    @property
    def derecha(self) -> bool:
        if self.alinear is not None:
            return self.alinear == "der"
        return self.tipo in NUMERICOS


@dataclass
class Vista:
    """Un resultado tabular. ``filas`` puede ser un iterable perezoso (se recorre una vez)."""

    columnas: Sequence[Columna]
    filas: Iterable[Any]
    titulo: str | None = None
    subtitulos: Sequence[str] = ()
    totales: Mapping[str, Any] | None = None
    notas: Sequence[str] = ()
    vacio: str = "Sin resultados."
    #: Con ``emitir([ficha, vista])`` en json: la clave bajo la que van estas filas.
    clave_json: str = "filas"
    #: Clave de una columna booleana cuyas filas se resaltan (tabla y html).
    resaltar: str | None = None
    #: Formatos en los que aparece esta parte (por defecto, todos). Declara, por ejemplo,
    #: que una tabla es solo para leer (``solo_en=("tabla",)``) mientras los scripts
    #: reciben otra forma del mismo resultado; el comando no pregunta por el formato.
    solo_en: Sequence[str] | None = None
    #: ``tabla``: False si las columnas no se pueden mudar debajo cuando no entran (una planilla
    #: con un día por columna): se achica hasta sus mínimos y, si aun así no entra, se dibuja
    #: igual y se avisa con ``si_no_entra``.
    mudar: bool = True
    si_no_entra: str | None = None


@dataclass(frozen=True)
class Campo:
    clave: str
    etiqueta: str
    valor: Any
    tipo: str = "texto"
    #: Formatos en los que aparece este campo (por defecto, todos).
    solo_en: Sequence[str] | None = None


@dataclass
class Ficha:
    """Un objeto como pares etiqueta: valor (``ver``, resúmenes). En json, un objeto; en
    csv/excel, filas ``campo,valor``."""

    campos: Sequence[Campo]
    titulo: str | None = None
    notas: Sequence[str] = ()
    solo_en: Sequence[str] | None = None


@dataclass
class Objeto:
    """Un resultado anidado tal cual, para scripts (json): listas, dicts y dataclasses con
    fechas ISO y números con punto. Se usa junto a las vistas que lo muestran a las personas:
    ``emitir([Objeto(reporte, solo_en=("json",)), Vista(..., solo_en=("tabla", "csv", "excel"))])``.
    """

    valor: Any
    solo_en: Sequence[str] | None = ("json",)


Parte = Union[Vista, Ficha, Objeto]

#: Conjuntos de formatos habituales para ``solo_en``.
PARA_LEER = ("tabla",)
PLANILLAS = ("csv", "excel")
SIN_JSON = ("tabla", "csv", "excel")


# --- Valores ------------------------------------------------------------------------------------
def valor_de(fila: Any, clave: str, indice: int) -> Any:
    """El valor de ``clave`` en una fila (dict, dataclass, fila de SQLAlchemy o tupla)."""
    if isinstance(fila, Mapping):
        return fila.get(clave)
    if isinstance(fila, tuple) and not hasattr(fila, "_mapping"):
        return fila[indice] if indice < len(fila) else None
    m = getattr(fila, "_mapping", None)
    if m is not None:
        return m.get(clave)
    return getattr(fila, clave, None)


def valores(filas: Iterable[Any], claves: Sequence[str]) -> Iterator[Sequence[Any]]:
    """Los valores de ``claves`` de cada fila, en orden (una lista o una tupla: solo para
    leer); el tipo de fila se mira una sola vez (en tablas de cientos de miles de filas,
    ``isinstance`` por celda se nota)."""
    from operator import attrgetter, itemgetter

    it = iter(filas)
    for primera in it:
        break
    else:
        return
    n = len(claves)
    if isinstance(primera, dict):
        def sacar(f: Any) -> list[Any]:
            g = f.get
            return [g(k) for k in claves]
    elif hasattr(primera, "_mapping"):
        def sacar(f: Any) -> list[Any]:
            m = f._mapping
            return [m.get(k) for k in claves]
    elif isinstance(primera, tuple) and not hasattr(primera, "_fields"):
        def sacar(f: Any) -> list[Any]:
            return list(f[:n]) + [None] * (n - len(f)) if len(f) < n else list(f[:n])
    elif isinstance(primera, Mapping):
        def sacar(f: Any) -> list[Any]:
            return [f.get(k) for k in claves]
    else:
        presentes = [k for k in claves if hasattr(primera, k)]
        if len(presentes) == n and n > 1:
            sacar = attrgetter(*claves)  # una tupla por fila, en C
        else:
            def sacar(f: Any) -> list[Any]:
                return [getattr(f, k, None) for k in claves]
    _ = itemgetter
    yield sacar(primera)
    for f in it:
        yield sacar(f)


def formateador(tipo: str = "texto", decimales: int | None = None) -> Callable[[Any], str]:
    """La función que escribe los valores de una columna para personas (rápida: sin
    ``isinstance`` de más para los casos comunes)."""
    if tipo in ("texto", "nombre", "email", "codigo"):
        def f(v: Any) -> str:
            if v is None:
                return ""
            if type(v) is str:
                return v
            return texto_humano(v, tipo, decimales)
        return f
    if tipo == "entero":
        def f(v: Any) -> str:
            if v is None:
                return ""
            if type(v) is int and -1000 < v < 1000:  # sin punto de miles: camino rápido
                return str(v)
            return texto_humano(v, tipo, decimales)
        return f
    if tipo in ("decimal", "nota"):
        # Una columna de notas o promedios repite pocos valores distintos (decenas de miles de
        # filas, unos cientos de notas): cada uno se escribe una vez.
        escribir = textos.nota if tipo == "nota" and decimales is None else (
            lambda x: textos.numero(x, decimales)
        )
        hechos: dict[float, str] = {}

        def f(v: Any) -> str:
            if v is None:
                return ""
            if type(v) in (float, int):
                t = hechos.get(v)
                if t is None:
                    t = hechos[v] = escribir(v)
                return t
            return texto_humano(v, tipo, decimales)
        return f
    return lambda v: texto_humano(v, tipo, decimales)


def texto_humano(valor: Any, tipo: str = "texto", decimales: int | None = None) -> str:
    """Un valor como lo lee una persona en la Argentina (tabla, excel, html, mensajes)."""
    from datetime import date, datetime

    if valor is None:
        return ""
    if isinstance(valor, Enum):
        valor = valor.value
    if isinstance(valor, bool):
        return textos.si_no(valor)
    if tipo == "entero":
        return textos.entero(valor) if isinstance(valor, (int, float)) else str(valor)
    if tipo == "nota" and decimales is None:
        return textos.nota(valor) if isinstance(valor, (int, float)) else str(valor)
    if tipo in ("decimal", "nota"):
        return textos.numero(valor, decimales) if isinstance(valor, (int, float)) else str(valor)
    if tipo == "porcentaje":
        return textos.porcentaje(valor, 1 if decimales is None else decimales) if isinstance(valor, (int, float)) else str(valor)
    if tipo == "tamano":
        return textos.tamano(valor) if isinstance(valor, (int, float)) else str(valor)
    if tipo == "duracion":
        return textos.duracion(valor) if isinstance(valor, (int, float)) else str(valor)
    if isinstance(valor, datetime):
        return textos.fecha(valor) if tipo == "fecha" else textos.fecha_hora(valor)
    if isinstance(valor, date):
        return textos.fecha(valor)
    if isinstance(valor, float):
        return textos.numero(valor, decimales)
    if isinstance(valor, int):
        return textos.entero(valor) if tipo != "codigo" else str(valor)
    if isinstance(valor, Mapping):
        return ", ".join(f"{k}: {texto_humano(v)}" for k, v in valor.items())
    if isinstance(valor, (list, tuple, set, frozenset)):
        return ", ".join(texto_humano(v) for v in valor)
    return str(valor)


def texto_script(valor: Any) -> str:
    """Un valor para CSV de scripts: ISO, punto decimal, ``sí``/``no`` (sin cambios desde 0.1)."""
    from datetime import date, datetime

    if valor is None:
        return ""
    t = type(valor)  # los casos de cada fila, sin isinstance contra clases abstractas
    if t is int:
        return str(valor)
    if t is float:
        return f"{valor:.2f}".rstrip("0").rstrip(".") if valor != int(valor) else str(int(valor))
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if isinstance(valor, Enum):
        return str(valor.value)
    if isinstance(valor, datetime):
        if valor.hour == valor.minute == valor.second == valor.microsecond == 0:
            return valor.date().isoformat()
        return valor.isoformat(sep=" ", timespec="seconds")
    if isinstance(valor, date):
        return valor.isoformat()
    if isinstance(valor, float):
        return f"{valor:.2f}".rstrip("0").rstrip(".") if valor != int(valor) else str(int(valor))
    if isinstance(valor, Mapping):
        return "; ".join(f"{k}={texto_script(v)}" for k, v in valor.items())
    if isinstance(valor, (list, tuple, set, frozenset)):
        return ", ".join(texto_script(v) for v in valor)
    return str(valor)


def valor_json(valor: Any) -> Any:
    """Un valor serializable en JSON (fechas ISO, enums por su valor, dataclasses como objetos)."""
    from datetime import date, datetime
    from decimal import Decimal

    if valor is None or isinstance(valor, (str, int, float, bool)):
        return valor
    if isinstance(valor, Enum):
        return valor.value
    if isinstance(valor, datetime):
        return valor.isoformat(timespec="milliseconds")
    if isinstance(valor, date):
        return valor.isoformat()
    if isinstance(valor, Decimal):
        return float(valor)
    if is_dataclass(valor) and not isinstance(valor, type):
        return {f.name: valor_json(getattr(valor, f.name)) for f in fields(valor)}
    if isinstance(valor, Mapping):
        return {str(k): valor_json(v) for k, v in valor.items()}
    if isinstance(valor, (list, tuple, set, frozenset)):
        return [valor_json(v) for v in valor]
    return str(valor)


# --- Emitir -------------------------------------------------------------------------------------
def emitir(partes: Parte | Sequence[Parte], formato: Formato | str = Formato.tabla) -> int:
    """Escribe una o varias partes (``Vista``/``Ficha``) en stdout en el formato pedido.

    Devuelve cuántas filas de datos se escribieron (la suma de las vistas).
    """
    from amauta_cli.salida import planos

    if isinstance(partes, (Vista, Ficha, Objeto)):
        partes = [partes]
    formato = Formato(str(getattr(formato, "value", formato)).lower())
    partes = [_filtrar(p, formato.value) for p in partes if _aparece(p, formato.value)]
    if not partes:  # nada para este formato (p. ej. un plan que solo se muestra a personas)
        return 0
    if formato is Formato.json:
        return planos.json_(partes, sys.stdout)
    if formato is Formato.csv:
        return planos.csv_(partes, sys.stdout, excel=False)
    if formato is Formato.excel:
        return planos.csv_(partes, sys.stdout, excel=True)
    from amauta_cli.salida import tabla

    return tabla.emitir(partes, sys.stdout)


def _aparece(p: Any, formato: str) -> bool:
    return p.solo_en is None or formato in p.solo_en


def _filtrar(p: Parte, formato: str) -> Parte:
    """Una ficha sin los campos que no van en este formato."""
    if isinstance(p, Ficha) and any(c.solo_en is not None for c in p.campos):
        from dataclasses import replace

        return replace(p, campos=[c for c in p.campos if _aparece(c, formato)])
    return p


def emitir_objeto(objeto: Any) -> None:
    """Un objeto arbitrario como JSON (para ``--formato json`` de resultados anidados)."""
    import json

    sys.stdout.write(json.dumps(valor_json(objeto), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


# --- Mensajes (stderr) ----------------------------------------------------------------------------
def _color(stream: Any) -> bool:
    import os

    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _limpiar(texto: str) -> str:
    """Sin secuencias de escape de terminal en texto del usuario (ESC y otros de control)."""
    texto = str(texto)
    if texto.isprintable():
        return texto
    return "".join(c if c >= " " or c in "\n\t" else "�" for c in texto)


def _mensaje(prefijo: str, color: str, texto: str) -> None:
    err = sys.stderr
    texto = _limpiar(texto)
    if _color(err):
        err.write(f"\x1b[{color}m{prefijo}\x1b[0m {texto}\n" if prefijo else f"{texto}\n")
    else:
        err.write(f"{prefijo} {texto}\n" if prefijo else f"{texto}\n")
    err.flush()


def info(texto: str) -> None:
    _mensaje("", "", texto)


def exito(texto: str) -> None:
    _mensaje("✔", "32", texto)


def aviso(texto: str) -> None:
    _mensaje("Aviso:", "33", texto)


def error(texto: str, problemas: Sequence[str] = ()) -> None:
    _mensaje("Error:", "1;31", texto)
    for p in problemas:
        _mensaje("", "", f"  • {p}")


@contextmanager
def progreso(descripcion: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """Barra de progreso en stderr (nada si stderr no es una terminal).

    Uso: ``with salida.progreso("Importando", total=n) as avanzar: avanzar(k)``.
    """
    if not _color(sys.stderr):
        yield lambda _n=1: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columnas: list[Any] = [SpinnerColumn(), TextColumn("{task.description}", markup=False)]
    if total is not None:
        columnas += [BarColumn(), MofNCompleteColumn()]
    columnas.append(TimeElapsedColumn())
    consola = Console(file=sys.stderr, highlight=False)
    with Progress(*columnas, console=consola, transient=True) as p:
        tarea = p.add_task(descripcion, total=total)
        yield lambda n=1: p.advance(tarea, n)


__all__ = [
    "Campo", "Columna", "Ficha", "Formato", "FormatoArchivo", "Objeto", "OpcionFormato", "Vista",
    "PARA_LEER", "PLANILLAS", "SIN_JSON",
    "aviso", "emitir", "emitir_objeto", "error", "exito", "info", "progreso",
    "formateador", "texto_humano", "texto_script", "valor_de", "valor_json", "valores",
]
