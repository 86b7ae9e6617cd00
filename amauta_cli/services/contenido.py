"""El ``contenido`` (Json) de una lección, validado según su ``TipoLeccion``.

Cada problema se informa con su ruta (``preguntas[2].opciones: ...``, índices desde 0 como
en el archivo). Formatos (los del seed del diseño):

- VIDEO: ``url`` (http/https, obligatoria), ``duracionSegundos`` (entero > 0),
  ``subtitulos`` (lista de códigos de idioma), ``miniatura`` (URL).
- TEXTO: ``cuerpo`` (Markdown, obligatorio), ``formato`` (``markdown``).
- QUIZ: ``preguntas`` (lista no vacía; cada una con ``enunciado``, ``opciones`` (dos o más,
  distintas) y ``respuesta``: el índice de la correcta o la lista de índices de las
  correctas, al menos una y sin repetir), ``puntajeAprobacion`` (0 a 100),
  ``intentosPermitidos`` (entero ≥ 1).
- INTERACTIVO: ``url`` (obligatoria), ``instrucciones``, ``herramienta``.
- DESCARGABLE: ``url`` (opcional), ``descripcion``, y ``recursos``: lista de recursos que
  se crean con la lección (``nombre``, ``tipo``, ``url``, ``tamano``, ``disponibleOffline``).
  Para publicarla hace falta al menos un recurso.

Las claves desconocidas se rechazan (un error de tipeo como ``urll`` no pasa en silencio).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from amauta_cli.errores import DatosInvalidos
from amauta_cli.models import TipoLeccion

TIPOS_RECURSO = {"video": "video", "pdf": "pdf", "image": "image", "imagen": "image", "audio": "audio"}


def leer_archivo(ruta: str, texto: str | None = None) -> Any:
    """El contenido de un archivo YAML o JSON (``-``: la entrada estándar, ya leída en ``texto``)."""
    import yaml

    if texto is None:
        p = Path(ruta)
        if not p.is_file():
            raise DatosInvalidos(f"contenido: no existe el archivo '{ruta}'.")
        try:
            texto = p.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise DatosInvalidos(f"contenido: '{ruta}' no está en UTF-8.") from None
    try:
        datos = yaml.safe_load(texto)  # JSON es YAML: sirve para ambos
    except yaml.YAMLError as e:
        marca = getattr(e, "problem_mark", None)
        donde = f" (línea {marca.line + 1}, columna {marca.column + 1})" if marca else ""
        raise DatosInvalidos(
            f"contenido: '{ruta}' no es YAML ni JSON válido{donde}: {getattr(e, 'problem', e)}."
        ) from None
    return datos


def es_url(valor: Any) -> bool:
    if not isinstance(valor, str):
        return False
    try:
        p = urlsplit(valor.strip())
    except ValueError:
        return False
    return p.scheme in ("http", "https") and bool(p.netloc)


class _Validador:
    def __init__(self) -> None:
        self.problemas: list[str] = []

    def mal(self, ruta: str, texto: str) -> None:
        self.problemas.append(f"{ruta}: {texto}" if ruta else texto)

    def objeto(self, valor: Any, ruta: str, obligatorias: dict[str, Callable], opcionales: dict[str, Callable]) -> dict:
        if not isinstance(valor, dict):
            self.mal(ruta, f"debe ser un objeto con {', '.join(obligatorias) or 'claves'}")
            return {}
        permitidas = {**obligatorias, **opcionales}
        for clave in valor:
            if clave not in permitidas:
                self.mal(
                    _ruta(ruta, str(clave)),
                    f"clave desconocida (se aceptan: {', '.join(permitidas)})",
                )
        for clave, validar in obligatorias.items():
            if clave not in valor or valor[clave] in (None, ""):
                self.mal(_ruta(ruta, clave), "falta (es obligatorio)")
            else:
                validar(valor[clave], _ruta(ruta, clave))
        for clave, validar in opcionales.items():
            if clave in valor and valor[clave] is not None:
                validar(valor[clave], _ruta(ruta, clave))
        return valor

    # --- valores -----------------------------------------------------------------------------
    def url(self, v: Any, ruta: str) -> None:
        if not es_url(v):
            self.mal(ruta, f"'{v}' no es una URL http:// o https://")

    def texto(self, v: Any, ruta: str) -> None:
        if not isinstance(v, str) or not v.strip():
            self.mal(ruta, "debe ser un texto no vacío")

    def entero_positivo(self, v: Any, ruta: str) -> None:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            self.mal(ruta, f"'{v}' debe ser un entero mayor que 0")

    def porcentaje(self, v: Any, ruta: str) -> None:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            self.mal(ruta, f"'{v}' debe ser un número de 0 a 100")

    def lista_textos(self, v: Any, ruta: str) -> None:
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            self.mal(ruta, "debe ser una lista de textos")

    def formato_texto(self, v: Any, ruta: str) -> None:
        if v != "markdown":
            self.mal(ruta, f"'{v}' no es un formato admitido (solo markdown)")

    def preguntas(self, v: Any, ruta: str) -> None:
        if not isinstance(v, list) or not v:
            self.mal(ruta, "debe ser una lista con al menos una pregunta")
            return
        for i, p in enumerate(v):
            r = f"{ruta}[{i}]"
            datos = self.objeto(
                p, r,
                {"enunciado": self.texto, "opciones": self.opciones},
                {"respuesta": lambda *_: None, "explicacion": self.texto},
            )
            if datos:
                self.respuesta(datos.get("respuesta"), f"{r}.respuesta", datos.get("opciones"))

    def opciones(self, v: Any, ruta: str) -> None:
        if not isinstance(v, list) or len(v) < 2:
            self.mal(ruta, "debe ser una lista de al menos dos opciones")
            return
        textos = []
        for j, o in enumerate(v):
            if isinstance(o, bool) or not isinstance(o, (str, int, float)) or not str(o).strip():
                self.mal(f"{ruta}[{j}]", "debe ser un texto no vacío")
            else:
                textos.append(str(o).strip())
        repetidas = sorted({t for t in textos if textos.count(t) > 1})
        if repetidas:
            self.mal(ruta, f"opciones repetidas: {', '.join(repetidas)}")

    def respuesta(self, v: Any, ruta: str, opciones: Any) -> None:
        n = len(opciones) if isinstance(opciones, list) else None
        if v is None:
            self.mal(ruta, "falta: indique cuál es la opción correcta (su índice desde 0) o la lista de las correctas")
            return
        indices = v if isinstance(v, list) else [v]
        if not indices:
            self.mal(ruta, "ninguna opción marcada como correcta: debe haber al menos una")
            return
        vistos: set[int] = set()
        for x in indices:
            if isinstance(x, bool) or not isinstance(x, int):
                self.mal(ruta, f"'{x}' no es el índice de una opción (un entero desde 0)")
            elif n is not None and not 0 <= x < n:
                self.mal(ruta, f"{x} no es una opción: hay {n} (índices de 0 a {n - 1})")
            elif x in vistos:
                self.mal(ruta, f"la opción {x} está repetida")
            vistos.add(x) if isinstance(x, int) else None

    def recursos(self, v: Any, ruta: str) -> None:
        if not isinstance(v, list):
            self.mal(ruta, "debe ser una lista de recursos")
            return
        for i, r in enumerate(v):
            self.recurso(r, f"{ruta}[{i}]")

    def recurso(self, v: Any, ruta: str) -> None:
        self.objeto(
            v, ruta,
            {"nombre": self.texto, "tipo": self.tipo_recurso, "url": self.url},
            {"tamano": self.tamano, "disponibleOffline": self.booleano},
        )

    def tipo_recurso(self, v: Any, ruta: str) -> None:
        if not isinstance(v, str) or v.strip().lower() not in TIPOS_RECURSO:
            self.mal(ruta, f"'{v}' no es un tipo de recurso (video, pdf, image, audio)")

    def tamano(self, v: Any, ruta: str) -> None:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 2**31 - 1:
            self.mal(ruta, f"'{v}' debe ser un tamaño en bytes (entero de 0 a 2.147.483.647)")

    def booleano(self, v: Any, ruta: str) -> None:
        if not isinstance(v, bool):
            self.mal(ruta, f"'{v}' debe ser true o false")


def _ruta(base: str, clave: str) -> str:
    return f"{base}.{clave}" if base else clave


def validar(tipo: TipoLeccion, contenido: Any) -> list[str]:
    """Los problemas de ``contenido`` para una lección de ``tipo`` (lista vacía si está bien)."""
    v = _Validador()
    if tipo == TipoLeccion.VIDEO:
        v.objeto(contenido, "", {"url": v.url}, {
            "duracionSegundos": v.entero_positivo, "subtitulos": v.lista_textos, "miniatura": v.url,
        })
    elif tipo == TipoLeccion.TEXTO:
        v.objeto(contenido, "", {"cuerpo": v.texto}, {"formato": v.formato_texto})
    elif tipo == TipoLeccion.QUIZ:
        v.objeto(contenido, "", {"preguntas": v.preguntas}, {
            "puntajeAprobacion": v.porcentaje, "intentosPermitidos": v.entero_positivo,
        })
    elif tipo == TipoLeccion.INTERACTIVO:
        v.objeto(contenido, "", {"url": v.url}, {"instrucciones": v.texto, "herramienta": v.texto})
    elif tipo == TipoLeccion.DESCARGABLE:
        v.objeto(contenido, "", {}, {"url": v.url, "descripcion": v.texto, "recursos": v.recursos})
    return v.problemas


def validar_recurso(datos: dict[str, Any]) -> list[str]:
    v = _Validador()
    v.recurso(datos, "")
    return v.problemas


def normalizar(tipo: TipoLeccion, contenido: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(contenido a guardar, recursos a crear): los ``recursos`` de una DESCARGABLE pasan a
    filas ``Recurso``; para TEXTO se completa ``formato: markdown``."""
    datos = dict(contenido)
    recursos = datos.pop("recursos", None) or []
    if tipo == TipoLeccion.TEXTO:
        datos.setdefault("formato", "markdown")
    return datos, [
        {
            "nombre": r["nombre"].strip(),
            "tipo": TIPOS_RECURSO[r["tipo"].strip().lower()],
            "url": r["url"].strip(),
            "tamano": r.get("tamano"),
            "disponibleOffline": bool(r.get("disponibleOffline", False)),
        }
        for r in recursos
    ]
