"""Análisis de texto en español para la búsqueda de cursos: plegado, palabras vacías y raíces.

Es el mismo camino que recorre PostgreSQL en la búsqueda de texto completo de amauta
(migración 0004): el texto se pliega (minúsculas, sin tildes: la tabla compartida de
``textos``), se parte en palabras, se descartan las palabras vacías del diccionario
``spanish`` de PostgreSQL y cada palabra se reduce a su raíz con el algoritmo Snowball
para el español (el mismo que usa PostgreSQL). Así ``geometria``, ``Geometría`` y
``geometrías`` dan la misma raíz, ``geometri``.

- En SQLite la tabla FTS5 de amauta guarda las raíces (``lexemas``) que calculan los
  disparadores con la función ``amauta_lexemas`` registrada en cada conexión, y la consulta
  se arma con ``consulta_fts5``.
- En ambos motores el fragmento resaltado de los resultados sale de ``fragmento``: el texto
  original (con sus acentos) con las palabras encontradas entre « ».

Sin SQLAlchemy: lo importan los disparadores de SQLite en cada conexión.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

from amauta_cli.textos import sin_acentos

#: Palabras vacías del diccionario ``spanish`` de PostgreSQL (``tsearch_data/spanish.stop``,
#: del proyecto Snowball). Como en PostgreSQL, se comparan con la palabra ya plegada: las que
#: llevan tilde ("más", "él") no se descartan después del plegado, igual que allá.
PALABRAS_VACIAS = frozenset(
    """
    de la que el en y a los del se las por un para con no una su al lo como más pero sus le ya
    o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde
    todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos
    qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella
    estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras vosostros
    vosostras os mío mía míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro
    nuestra nuestros nuestras vuestro vuestra vuestros vuestras esos esas estoy estás está
    estamos estáis están esté estés estemos estéis estén estaré estarás estará estaremos
    estaréis estarán estaría estarías estaríamos estaríais estarían estaba estabas estábamos
    estabais estaban estuve estuviste estuvo estuvimos estuvisteis estuvieron estuviera
    estuvieras estuviéramos estuvierais estuvieran estuviese estuvieses estuviésemos
    estuvieseis estuviesen estando estado estada estados estadas estad he has ha hemos
    habéis han haya hayas hayamos hayáis hayan habré habrás habrá habremos habréis habrán
    habría habrías habríamos habríais habrían había habías habíamos habíais habían hube
    hubiste hubo hubimos hubisteis hubieron hubiera hubieras hubiéramos hubierais hubieran
    hubiese hubieses hubiésemos hubieseis hubiesen habiendo habido habida habidos habidas
    soy eres es somos sois son sea seas seamos seáis sean seré serás será seremos seréis
    serán sería serías seríamos seríais serían era eras éramos erais eran fui fuiste fue
    fuimos fuisteis fueron fuera fueras fuéramos fuerais fueran fuese fueses fuésemos
    fueseis fuesen sintiendo sentido sentida sentidos sentidas siente sentid tengo tienes
    tiene tenemos tenéis tienen tenga tengas tengamos tengáis tengan tendré tendrás tendrá
    tendremos tendréis tendrán tendría tendrías tendríamos tendríais tendrían tenía tenías
    teníamos teníais tenían tuve tuviste tuvo tuvimos tuvisteis tuvieron tuviera tuvieras
    tuviéramos tuvierais tuvieran tuviese tuvieses tuviésemos tuvieseis tuviesen teniendo
    tenido tenida tenidos tenidas tened
    """.split()
)

_PALABRA = re.compile(r"[^\W_]+")
#: Marcas del fragmento resaltado (texto plano: nunca marcado).
ABRE, CIERRA = "«", "»"


@lru_cache(maxsize=1)
def _stemmer():
    from snowballstemmer.spanish_stemmer import SpanishStemmer

    return SpanishStemmer()


@lru_cache(maxsize=20000)
def raiz(palabra_plegada: str) -> str:
    """La raíz Snowball de una palabra ya plegada (``triangulos`` → ``triangul``)."""
    return _stemmer().stemWord(palabra_plegada)


def raices(texto: str | None) -> list[str]:
    """Las raíces de las palabras con contenido de ``texto``, en orden (con repeticiones)."""
    if not texto:
        return []
    return [raiz(p) for p in _PALABRA.findall(sin_acentos(texto)) if p not in PALABRAS_VACIAS]


def lexemas(texto: str | None) -> str:
    """Las raíces separadas por espacios: lo que guarda la tabla FTS5 de SQLite."""
    return " ".join(raices(texto))


def consulta_fts5(texto: str) -> str | None:
    """La expresión MATCH de FTS5 para lo que escribió el usuario: todas sus raíces (AND).

    ``None`` si no queda ninguna palabra con contenido (p. ej. solo palabras vacías), como
    ``plainto_tsquery`` de PostgreSQL, que entonces no encuentra nada.
    """
    unicas = list(dict.fromkeys(raices(texto)))
    if not unicas:
        return None
    # Cada raíz entre comillas dobles: FTS5 no interpreta operadores dentro (las raíces son
    # letras y dígitos, sin comillas).
    return " AND ".join(f'"{r}"' for r in unicas)


def _marcar(texto: str, buscadas: set[str]) -> tuple[str, int, int]:
    """(texto con las coincidencias entre « », cantidad de coincidencias, posición de la primera)."""
    partes: list[str] = []
    ultimo = 0
    n = 0
    primera = -1
    for m in _PALABRA.finditer(texto):
        plegada = sin_acentos(m.group())
        if plegada in PALABRAS_VACIAS or raiz(plegada) not in buscadas:
            continue
        partes.append(texto[ultimo : m.start()])
        partes.append(f"{ABRE}{m.group()}{CIERRA}")
        ultimo = m.end()
        if primera < 0:
            primera = len("".join(partes)) - len(m.group()) - 2
        n += 1
    partes.append(texto[ultimo:])
    return "".join(partes), n, primera


def fragmento(
    consulta: str, textos: Sequence[tuple[str, str | None]], largo: int = 90
) -> str:
    """El fragmento que muestra por qué un curso coincide.

    ``textos``: pares (etiqueta, texto) en orden de preferencia, p. ej.
    ``[("", descripcion), ("Lección 3", "Triángulos")]``. Se elige el texto con más
    palabras encontradas (el primero ante un empate); se recorta a unos ``largo``
    caracteres alrededor de la primera coincidencia, con « » alrededor de cada palabra
    encontrada. Sin coincidencias, el comienzo del primer texto.
    """
    buscadas = set(raices(consulta))
    mejor: tuple[int, str, str, int] | None = None
    for etiqueta, texto in textos:
        if not texto:
            continue
        texto = " ".join(texto.split())
        marcado, n, primera = _marcar(texto, buscadas)
        if n and (mejor is None or n > mejor[0]):
            mejor = (n, etiqueta, marcado, primera)
    if mejor is None:
        etiqueta, texto = next(((e, t) for e, t in textos if t), ("", ""))
        return _recortar(" ".join(texto.split()), 0, largo)
    _n, etiqueta, marcado, primera = mejor
    recorte = _recortar(marcado, primera, largo)
    return f"{etiqueta}: {recorte}" if etiqueta else recorte


def _recortar(texto: str, centro: int, largo: int) -> str:
    """Unos ``largo`` caracteres de ``texto`` alrededor de ``centro``, cortando entre palabras."""
    if len(texto) <= largo:
        return texto
    inicio = max(0, centro - largo // 3)
    fin = min(len(texto), inicio + largo)
    inicio = max(0, fin - largo)
    if inicio > 0:
        espacio = texto.find(" ", inicio)
        inicio = espacio + 1 if 0 <= espacio < centro else inicio
    if fin < len(texto):
        espacio = texto.rfind(" ", inicio, fin)
        fin = espacio if espacio > max(centro, inicio) else fin
    recorte = texto[inicio:fin].strip()
    # No cortar una marca « » por la mitad.
    if recorte.count(ABRE) > recorte.count(CIERRA):
        recorte += CIERRA
    return ("…" if inicio > 0 else "") + recorte + ("…" if fin < len(texto) else "")


def unir(partes: Iterable[str | None]) -> str:
    """Une textos no vacíos con un espacio (títulos y descripciones de las lecciones)."""
    return " ".join(p for p in partes if p)
