"""Lectura de archivos CSV tal como los guardan las planillas de cálculo.

- Codificación: UTF-8 (con o sin BOM) o, si los bytes no son UTF-8, Windows-1252
  (lo que guarda Excel en Windows). También UTF-16 con BOM ("Texto Unicode").
- Separador: coma, punto y coma o tabulación, detectado en el encabezado.
- Encabezados según el vocabulario de las planillas (``vocabulario``: ``Correo electrónico``,
  ``Legajo``, ``Obs.``...), sin distinguir mayúsculas, acentos, espacios ni signos.
- Higiene del texto: un archivo binario se rechaza sin mostrar sus bytes; los caracteres de
  control (salvo tabulación y saltos de línea dentro de comillas) se rechazan con su línea y
  columna; todo se normaliza a NFC; el ``'`` que el formato ``excel`` antepone a las celdas
  que parecen fórmulas se quita.
- Nada se corta en silencio: un valor en una columna sin encabezado (p. ej. un ``;`` sin
  comillas cuando el encabezado termina en ``;``, como lo guarda Excel) es un error de esa línea.
- Cada fila conserva su número de línea física (el encabezado es la línea 1), para
  reportar problemas con :func:`problema_linea`.

``iterar_csv`` lee en streaming (memoria constante); ``leer_csv`` junta todo en una
``TablaCSV``.
"""

from __future__ import annotations

import codecs
import csv
import io
import functools
import itertools
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Union

import unicodedata

from amauta_cli import vocabulario
from amauta_cli.errores import DatosInvalidos, NoEncontrado

__all__ = ["FilaCSV", "LectorCSV", "TablaCSV", "iterar_csv", "leer_csv", "problema_linea"]

#: Una ruta (``str`` o ``Path``) o el contenido del archivo en ``bytes``.
Origen = Union[str, "os.PathLike[str]", bytes]

_MUESTRA = 64 * 1024
_SEPARADORES = (",", ";", "\t")
_NOMBRE_SEPARADOR = {",": "coma", ";": "punto y coma", "\t": "tabulación"}
_NOMBRE_CODIFICACION = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"
}
_BYTES_INVALIDOS = re.compile("[\udc80-\udcff]")  # bytes no decodificables (surrogateescape)
#: Caracteres de control que no se aceptan en una celda (tabulación y saltos de línea sí).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Comienzos de archivos binarios comunes (para decir qué parece).
_FIRMAS = (
    (b"%PDF", "un PDF"), (b"\x89PNG", "una imagen PNG"), (b"\xff\xd8\xff", "una imagen JPEG"),
    (b"GIF8", "una imagen GIF"), (b"\x1f\x8b", "un archivo comprimido gzip"),
    (b"\x7fELF", "un programa"), (b"MZ", "un programa de Windows"), (b"7z\xbc\xaf", "un archivo 7z"),
    (b"Rar!", "un archivo RAR"), (b"SQLite format 3\x00", "una base SQLite"),
)


def problema_linea(linea: int, mensaje: str) -> str:
    """Formato único de los problemas de importación: ``línea 7: <mensaje>``."""
    return f"línea {linea}: {mensaje}"


class FilaCSV(NamedTuple):
    """Una fila de datos: línea física donde empieza y valores por columna canónica.

    ``valores`` trae todas las columnas requeridas y opcionales, sin espacios
    alrededor ('' si la columna falta o la celda está vacía).
    """

    linea: int
    valores: dict[str, str]


@dataclass
class TablaCSV:
    """Resultado de :func:`leer_csv`."""

    filas: list[FilaCSV]
    columnas: list[str]
    columnas_ignoradas: list[str]
    problemas: list[str]
    codificacion: str
    separador: str


@dataclass
class _Encabezado:
    linea: int
    indices: list[tuple[str, int]]
    ignoradas: list[str]
    ancho: int
    #: Columnas sin nombre en el encabezado (p. ej. el ``;`` final que escribe Excel).
    sin_nombre: list[int]


def _abrir(origen: Origen) -> io.BufferedIOBase:
    """Abre el origen en binario; traduce los errores del sistema a errores de dominio."""
    if isinstance(origen, (bytes, bytearray)):
        return io.BytesIO(origen)
    try:
        return open(origen, "rb")
    except FileNotFoundError:
        raise NoEncontrado(f"no existe el archivo '{os.fspath(origen)}'") from None
    except OSError as e:
        mensaje = f"no se puede leer el archivo '{os.fspath(origen)}': {e.strerror}"
        raise DatosInvalidos(mensaje) from None


def _no_es_texto(muestra: bytes) -> str | None:
    """Qué parece el archivo si no es texto (``None`` si lo es). Un NUL suelto en una celda no
    lo vuelve binario: ese caso se informa con su línea y columna."""
    for firma, que in _FIRMAS:
        if muestra.startswith(firma):
            return que
    control = sum(muestra.count(bytes([b])) for b in (*range(0, 9), *range(14, 27), *range(28, 32)))
    if control > max(8, len(muestra) // 100):
        return "un archivo binario"
    return None


def _detectar_codificacion(muestra: bytes, completa: bool, nombre: str = "el archivo") -> str:
    """Elige la codificación mirando sólo el comienzo del archivo."""
    if muestra.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if muestra.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if muestra.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise DatosInvalidos(
            "el archivo parece una planilla de Excel (.xlsx/.xls), no un CSV; "
            "ábrala y use 'Guardar como' → 'CSV UTF-8 (delimitado por comas)'"
        )
    que = _no_es_texto(muestra[:8192])
    if que is not None:
        raise DatosInvalidos(
            f"{nombre} no es un archivo de texto (parece {que}): se espera una planilla guardada "
            "como CSV (en Excel: 'Guardar como' → 'CSV UTF-8 (delimitado por comas)')"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(muestra, final=completa)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _destinos(canonicas: Iterable[str], alias: dict[str, str] | None) -> dict[str, str]:
    """Clave normalizada → nombre canónico: el vocabulario común más los alias que se pasen."""
    canonicas = list(canonicas)
    destinos = vocabulario.destinos(canonicas)
    for otro, canonico in (alias or {}).items():
        destino = destinos.get(vocabulario.clave(canonico))
        if destino is None:
            raise ValueError(f"el alias {otro!r} apunta a una columna desconocida {canonico!r}")
        destinos.setdefault(vocabulario.clave(otro), destino)
    return destinos


def _elegir_separador(linea: str, destinos: dict[str, str]) -> str:
    """El separador que reconoce más columnas conocidas (y, a igualdad, da más campos)."""

    def puntaje(sep: str) -> tuple[int, int]:
        campos = next(csv.reader([linea], delimiter=sep), [])
        return sum(vocabulario.clave(c) in destinos for c in campos), len(campos)

    return max(_SEPARADORES, key=puntaje)


def _traducir_error_csv(error: csv.Error, separador: str) -> str:
    texto = str(error)
    if "unexpected end of data" in texto:
        return "hay una comilla sin cerrar: el valor sigue hasta el final del archivo"
    if "expected after" in texto:
        return (
            "después de una comilla de cierre debe venir el separador "
            f"({_NOMBRE_SEPARADOR[separador]}); "
            'si un valor lleva comillas, enciérrelo entero entre comillas y duplique las internas ("")'
        )
    if "field larger" in texto:
        return f"un valor supera los {csv.field_size_limit()} caracteres (¿una comilla sin cerrar?)"
    return f"formato CSV inválido ({texto})"


def _tomador(indices: list[int]) -> Callable[[list[str]], Iterable[str]]:
    """Función que extrae de una vez los campos de esos índices."""
    if len(indices) > 1:
        return operator.itemgetter(*indices)
    return lambda campos: [campos[i] for i in indices]


def _a_cp1252(texto: str) -> str:
    """Reinterpreta como Windows-1252 un texto leído como UTF-8 con surrogateescape."""
    return texto.encode("utf-8", "surrogateescape").decode("cp1252", "surrogateescape")


def _error_utf16(linea: int) -> DatosInvalidos:
    # El decodificador trabaja por bloques: la línea es aproximada.
    return DatosInvalidos(f"el archivo no es texto UTF-16 válido (cerca de la línea {linea})")


class _Fuente:
    """Origen abierto: registros CSV con su línea inicial, ya bien decodificados.

    Si el archivo empezó en ASCII puro y más adelante aparecen bytes que no son
    UTF-8, se pasa a Windows-1252 sin perder nada (ASCII es igual en ambas). Si ya
    había UTF-8 no ASCII, el archivo mezcla codificaciones y se rechaza con la línea.
    """

    def __init__(self, origen: Origen):
        binario = _abrir(origen)
        try:
            muestra = binario.read(_MUESTRA)
            nombre = "el archivo" if isinstance(origen, (bytes, bytearray)) else f"'{os.fspath(origen)}'"
            self.codificacion = _detectar_codificacion(muestra, len(muestra) < _MUESTRA, nombre)
            binario.seek(0)
        except BaseException:
            binario.close()
            raise
        self._texto = io.TextIOWrapper(
            binario, encoding=self.codificacion, errors="surrogateescape", newline=""
        )
        self.separador = ","
        self._lector: Iterator[list[str]] = iter(())
        self._vio_utf8 = False
        self._recodificar = False
        #: Nombres del encabezado (para decir en qué columna hay un problema).
        self.nombres: list[str] = []

    def __enter__(self) -> _Fuente:
        return self

    def __exit__(self, *exc: object) -> None:
        self._texto.close()

    def encabezado(self, destinos: dict[str, str]) -> tuple[int, list[str]]:
        """Detecta el separador y devuelve la línea y los nombres del encabezado."""
        leidas: list[str] = []
        try:
            for linea in self._texto:
                leidas.append(linea)
                if linea.strip(" \t\r\n\ufeff"):
                    break
            else:
                raise DatosInvalidos("el archivo CSV está vacío: falta la fila de encabezados")
        except UnicodeDecodeError:
            raise _error_utf16(len(leidas) + 1) from None
        self.separador = _elegir_separador(leidas[-1], destinos)
        fuente = itertools.chain(leidas, self._texto)
        self._lector = csv.reader(fuente, delimiter=self.separador, strict=True)
        for inicio, nombres in self.registros(None):
            return inicio, nombres
        raise AssertionError("inalcanzable")  # pragma: no cover

    def registros(self, problemas: list[str] | None) -> Iterator[tuple[int, list[str]]]:
        """Registros no vacíos con su línea inicial.

        Los errores de formato CSV van a ``problemas`` (o se lanzan si es ``None``).
        """
        lector = self._lector
        anterior = lector.line_num  # type: ignore[attr-defined]
        while True:
            try:
                for campos in lector:
                    inicio, anterior = anterior + 1, lector.line_num  # type: ignore[attr-defined]
                    texto = "".join(campos)
                    if not texto.isascii():
                        campos = self._decodificar(campos, texto, inicio)
                        texto = "".join(campos)
                        if not unicodedata.is_normalized("NFC", texto):
                            campos = [unicodedata.normalize("NFC", c) for c in campos]
                    if not texto.isprintable() and _CONTROL.search(texto):
                        mensaje = self._control(campos, inicio)
                        if problemas is None:
                            raise DatosInvalidos(mensaje)
                        problemas.append(mensaje)
                        continue
                    if texto and not texto.isspace():
                        yield inicio, campos
                return
            except csv.Error as e:
                mensaje = problema_linea(anterior + 1, _traducir_error_csv(e, self.separador))
                if problemas is None or "field larger" in str(e):
                    raise DatosInvalidos(mensaje) from None
                problemas.append(mensaje)
                anterior = lector.line_num  # type: ignore[attr-defined]
            except UnicodeDecodeError:  # sólo UTF-16; el resto decodifica con surrogateescape
                raise _error_utf16(lector.line_num + 1) from None  # type: ignore[attr-defined]

    def _control(self, campos: list[str], linea: int) -> str:
        """``línea 3, columna 2 (nombre): tiene el carácter de control U+0000 (NUL)...``"""
        for i, campo in enumerate(campos):
            m = _CONTROL.search(campo)
            if m is None:
                continue
            c = m.group()
            linea_real = linea + campo.count("\n", 0, m.start())
            nombre = self.nombres[i].strip() if i < len(self.nombres) else ""
            donde = f"columna {i + 1}" + (f" ({nombre})" if nombre else "")
            codigo = f"U+{ord(c):04X}" + (" (NUL)" if c == "\x00" else "")
            return problema_linea(
                linea_real,
                f"{donde}: tiene el carácter de control {codigo}, que no puede guardarse como texto; "
                "quítelo de la celda (suele venir de copiar y pegar desde otro programa)",
            )
        raise AssertionError("inalcanzable")  # pragma: no cover

    def _decodificar(self, campos: list[str], texto: str, linea: int) -> list[str]:
        """Valida la codificación de un registro no ASCII; cambia a Windows-1252 si hace falta."""
        if self._recodificar:
            campos = [_a_cp1252(c) for c in campos]
            texto = "".join(campos)
        if not _BYTES_INVALIDOS.search(texto):
            self._vio_utf8 = self._vio_utf8 or self.codificacion.startswith("utf-8")
            return campos
        if self.codificacion == "utf-8" and not self._vio_utf8:
            self.codificacion, self._recodificar = "cp1252", True
            return self._decodificar(campos, texto, linea)
        if self._vio_utf8:
            detalle = (
                "tiene bytes que no son UTF-8, pero las líneas anteriores sí lo eran; "
                "el archivo mezcla codificaciones: guárdelo de nuevo como 'CSV UTF-8'"
            )
        elif self.codificacion == "utf-8-sig":
            detalle = (
                "tiene bytes que no son UTF-8, aunque el archivo empieza con la marca (BOM) "
                "de UTF-8: guárdelo de nuevo como 'CSV UTF-8'"
            )
        else:
            detalle = f"tiene bytes que no son texto válido en {_NOMBRE_CODIFICACION[self.codificacion]}"
        raise DatosInvalidos(problema_linea(linea, detalle))


class LectorCSV:
    """Lector en streaming devuelto por :func:`iterar_csv`.

    El encabezado se valida al crearlo. Cada recorrido (``for fila in lector``) lee
    el archivo desde el principio, con memoria constante. Las filas con problemas de
    forma (más campos que el encabezado, comillas mal cerradas) no se entregan: se
    agregan, en orden de línea, a ``problemas``.
    """

    def __init__(
        self,
        origen: Origen,
        columnas_requeridas: list[str],
        columnas_opcionales: Iterable[str] = (),
        alias: dict[str, str] | None = None,
        problemas: list[str] | None = None,
    ):
        self.origen = origen
        self.columnas_requeridas = list(columnas_requeridas)
        opcionales = [c for c in columnas_opcionales if c not in self.columnas_requeridas]
        self._canonicas = self.columnas_requeridas + opcionales
        self._destinos = _destinos(self._canonicas, alias)
        #: Problemas por línea; si se pasó una lista, se agregan a esa misma lista.
        self.problemas: list[str] = problemas if problemas is not None else []
        with _Fuente(origen) as fuente:
            enc = self._leer_encabezado(fuente)
            #: Codificación detectada; puede pasar de 'utf-8' a 'cp1252' al recorrer.
            self.codificacion = fuente.codificacion
            self.separador = fuente.separador
        self.linea_encabezado = enc.linea
        #: Columnas canónicas presentes en el archivo, en el orden del archivo.
        self.columnas = [c for c, _ in enc.indices]
        #: Encabezados del archivo que no corresponden a ninguna columna conocida.
        self.columnas_ignoradas = enc.ignoradas

    def _leer_encabezado(self, fuente: _Fuente) -> _Encabezado:
        linea, nombres = fuente.encabezado(self._destinos)
        fuente.nombres = nombres
        indices: list[tuple[str, int]] = []
        ignoradas: list[str] = []
        vistos: dict[str, str] = {}
        for i, nombre in enumerate(nombres):
            limpio = nombre.replace("\ufeff", "").strip()
            canonica = self._destinos.get(vocabulario.clave(limpio))
            if canonica is None:
                if limpio:
                    ignoradas.append(limpio)
            elif canonica in vistos:
                raise DatosInvalidos(
                    f"la columna '{canonica}' aparece dos veces en el encabezado "
                    f"('{vistos[canonica]}' y '{limpio}')"
                )
            else:
                vistos[canonica] = limpio
                indices.append((canonica, i))
        faltan = [c for c in self.columnas_requeridas if c not in vistos]
        if faltan:
            encontradas = ", ".join(n.strip() for n in nombres if n.strip()) or "(ninguna)"
            raise DatosInvalidos(
                f"al CSV le faltan columnas obligatorias: {', '.join(faltan)}. "
                f"Columnas encontradas: {encontradas} "
                f"(separador detectado: {_NOMBRE_SEPARADOR[fuente.separador]})"
            )
        sin_nombre = [i for i, n in enumerate(nombres) if not n.replace("\ufeff", "").strip()]
        return _Encabezado(linea, indices, ignoradas, len(nombres), sin_nombre)

    def __iter__(self) -> Iterator[FilaCSV]:
        with _Fuente(self.origen) as fuente:
            enc = self._leer_encabezado(fuente)
            presentes = sorted(enc.indices, key=lambda par: self._canonicas.index(par[0]))
            nombres = [c for c, _ in presentes]
            tomar = _tomador([i for _, i in presentes])
            faltantes = {c: "" for c in self._canonicas if c not in nombres}
            ancho, sep = enc.ancho, _NOMBRE_SEPARADOR[fuente.separador]
            sin_nombre = enc.sin_nombre
            con_nombre = ancho - len(sin_nombre)
            nueva = functools.partial(tuple.__new__, FilaCSV)  # FilaCSV(linea, valores), sin su __new__ en Python
            for linea, campos in fuente.registros(self.problemas):
                n = len(campos)
                if n != ancho:
                    if n > ancho and any(c.strip() for c in campos[ancho:]):
                        mensaje = (
                            f"tiene {n} campos pero el encabezado tiene {ancho} "
                            f"(¿un valor con {sep} sin comillas?)"
                        )
                        self.problemas.append(problema_linea(linea, mensaje))
                        continue
                    campos.extend([""] * (ancho - n))
                if sin_nombre and any(campos[i].strip() for i in sin_nombre):
                    # El encabezado termina en ';' (Excel) y un ';' sin comillas partió un valor:
                    # el resto iría a una columna sin nombre y se perdería en silencio.
                    llenos = sum(1 for c in campos if c.strip())
                    mensaje = (
                        f"tiene {llenos} campos con valor pero el encabezado nombra {con_nombre}: "
                        f"sobra un valor en una columna sin nombre (¿un valor con {sep} sin "
                        "comillas? enciérrelo entre comillas; no se corta en silencio)"
                    )
                    self.problemas.append(problema_linea(linea, mensaje))
                    continue
                valores = dict(zip(nombres, map(str.strip, tomar(campos))))
                # Un apóstrofo al principio de un valor (excel) se quita; casi ninguna fila
                # tiene un apóstrofo en ninguna parte, y mirarlo en la fila entera es barato.
                if "'" in "".join(valores.values()) and any(v[:1] == "'" for v in valores.values()):
                    valores = {k: vocabulario.sin_apostrofo(v) for k, v in valores.items()}
                if faltantes:
                    valores.update(faltantes)
                yield nueva((linea, valores))
            self.codificacion = fuente.codificacion


def iterar_csv(
    ruta: Origen,
    columnas_requeridas: list[str],
    columnas_opcionales: Iterable[str] = (),
    alias: dict[str, str] | None = None,
    problemas: list[str] | None = None,
) -> LectorCSV:
    """Valida el encabezado y devuelve un lector que entrega ``FilaCSV`` de a una.

    Lanza ``DatosInvalidos`` enseguida si faltan columnas obligatorias o el archivo
    está vacío. Si se pasa ``problemas``, los problemas de forma se agregan a esa
    lista a medida que se lee, en orden de línea junto con los de quien importa.
    """
    return LectorCSV(ruta, columnas_requeridas, columnas_opcionales, alias, problemas)


def leer_csv(
    ruta_o_bytes: Origen,
    columnas_requeridas: list[str],
    columnas_opcionales: Iterable[str] = (),
    alias: dict[str, str] | None = None,
) -> TablaCSV:
    """Lee todo el CSV en memoria (ver :func:`iterar_csv`)."""
    lector = LectorCSV(ruta_o_bytes, columnas_requeridas, columnas_opcionales, alias)
    filas = list(lector)
    return TablaCSV(
        filas=filas,
        columnas=lector.columnas,
        columnas_ignoradas=lector.columnas_ignoradas,
        problemas=lector.problemas,
        codificacion=lector.codificacion,
        separador=lector.separador,
    )
