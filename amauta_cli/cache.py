"""La caché de Redis de la plataforma, mantenida honesta.

La aplicación web guarda en Redis el resultado de consultas frecuentes. Cuando ``amauta``
cambia datos por detrás de ella, esas claves quedan viejas. Este módulo:

- ``invalidar(tablas)``: después de un comando masivo (``db restore``, ``seed``, ``db
  rollback``, ``db archivar``, importaciones, ``calificaciones cargar``...) borra las claves
  de los patrones configurados para esas tablas con ``SCAN`` + ``UNLINK`` (nunca ``KEYS`` ni
  ``FLUSHALL``: no bloquean el servidor ni tocan lo ajeno) y devuelve cuántas borró;
- ``publicar(cambios)``: después de un comando de pocas filas, publica en un canal la tabla y
  los ids cambiados, para que la aplicación descarte exactamente eso;
- ``estado()`` y ``limpiar(patrones)``: ``amauta cache estado`` / ``amauta cache limpiar``.

Sin ``AMAUTA_REDIS_URL`` ni ``cache.redis_url`` en los ajustes no hace nada y no importa el
paquete ``redis``. Un Redis caído o que rechaza la orden nunca hace fallar un comando de base
de datos: el llamador recibe el error como ``FallaCache`` y avisa qué correr.

Ajustes (sección ``cache`` del archivo de ajustes)::

    cache:
      redis_url: ""                 # o AMAUTA_REDIS_URL (que tiene prioridad)
      canal: "amauta:cambios"       # canal de PUBLISH de los cambios de pocas filas
      tiempo_espera: 3              # segundos para conectar y para cada orden
      patrones:                     # por tabla; reemplaza el valor por defecto de esa tabla
        Asistencia: ["amauta:asistencia:*", "amauta:reportes:*"]
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from amauta_cli.errores import AmautaError, DatosInvalidos

if TYPE_CHECKING:  # pragma: no cover
    import redis

VARIABLE_URL = "AMAUTA_REDIS_URL"

#: Patrones por defecto: las claves que la aplicación web deriva de cada tabla.
PATRONES_POR_DEFECTO: dict[str, list[str]] = {
    "Usuario": ["amauta:usuarios:*"],
    "Perfil": ["amauta:usuarios:*"],
    "Categoria": ["amauta:cursos:*"],
    "Curso": ["amauta:cursos:*"],
    "Leccion": ["amauta:cursos:*"],
    "Recurso": ["amauta:cursos:*"],
    "Inscripcion": ["amauta:progreso:*"],
    "Progreso": ["amauta:progreso:*"],
    "Institucion": ["amauta:instituciones:*"],
    "Grupo": ["amauta:grupos:*"],
    "GrupoEstudiante": ["amauta:grupos:*"],
    "Asistencia": ["amauta:asistencia:*", "amauta:reportes:*"],
    "Calificacion": ["amauta:calificaciones:*", "amauta:reportes:*"],
    "Comunicado": ["amauta:comunicados:*"],
}
TODAS = tuple(PATRONES_POR_DEFECTO)
CANAL_POR_DEFECTO = "amauta:cambios"
#: Más ids que esto en una publicación: se publica la tabla sin ids ("cambió toda la tabla").
MAXIMO_IDS = 1000
LOTE_UNLINK = 500


class _TodaLaTabla:
    """Marca: cambiaron filas de la tabla cuyos ids no se conocen (un upsert de Core)."""

    def __repr__(self) -> str:  # pragma: no cover
        return "TODA_LA_TABLA"


TODA_LA_TABLA = _TodaLaTabla()


class FallaCache(AmautaError):
    """Redis no respondió o rechazó la orden."""


@dataclass(frozen=True)
class Configuracion:
    url: str
    canal: str
    tiempo_espera: float
    patrones: Mapping[str, Sequence[str]]

    @property
    def url_enmascarada(self) -> str:
        from amauta_cli.db import enmascarar_url

        return enmascarar_url(self.url)

    def patrones_de(self, tablas: Iterable[str]) -> list[str]:
        """Los patrones de ``tablas``, sin repetir, en orden."""
        vistos: list[str] = []
        for t in tablas:
            for p in self.patrones.get(t, ()):
                if p not in vistos:
                    vistos.append(p)
        return vistos

    @property
    def todos_los_patrones(self) -> list[str]:
        return self.patrones_de(self.patrones)


def configuracion() -> Configuracion | None:
    """La configuración de la caché, o None si no hay Redis configurado."""
    from amauta_cli import ajustes

    valores = ajustes.seccion(
        "cache",
        {"redis_url": "", "canal": CANAL_POR_DEFECTO, "tiempo_espera": 3, "patrones": {}},
    )
    url = os.environ.get(VARIABLE_URL) or str(valores["redis_url"] or "")
    if not url.strip():
        return None
    ruta = ajustes.ruta_ajustes()
    patrones = {t: list(p) for t, p in PATRONES_POR_DEFECTO.items()}
    propios = valores["patrones"]
    if not isinstance(propios, dict):
        raise DatosInvalidos(f"{ruta}: cache.patrones debe ser un mapa tabla: [patrones].")
    for tabla, lista in propios.items():
        if tabla not in PATRONES_POR_DEFECTO:
            raise DatosInvalidos(
                f"{ruta}: cache.patrones.{tabla} no es una tabla de amauta "
                f"(válidas: {', '.join(TODAS)})."
            )
        if isinstance(lista, str):
            lista = [lista]
        if not isinstance(lista, list) or not all(isinstance(p, str) and p.strip() for p in lista):
            raise DatosInvalidos(
                f"{ruta}: cache.patrones.{tabla} debe ser una lista de patrones de claves "
                "(p. ej. [\"amauta:asistencia:*\"]); una lista vacía no borra nada de esa tabla."
            )
        patrones[tabla] = [p.strip() for p in lista]
    canal = str(valores["canal"]).strip()
    if not canal:
        raise DatosInvalidos(f"{ruta}: cache.canal no puede estar vacío.")
    espera = float(valores["tiempo_espera"])
    if espera <= 0:
        raise DatosInvalidos(f"{ruta}: cache.tiempo_espera debe ser mayor que 0 (segundos).")
    return Configuracion(url.strip(), canal, espera, patrones)


def _cliente(cfg: Configuracion) -> "redis.Redis":
    import redis

    try:
        return redis.Redis.from_url(
            cfg.url,
            socket_connect_timeout=cfg.tiempo_espera,
            socket_timeout=cfg.tiempo_espera,
            retry_on_timeout=False,
        )
    except ValueError as e:
        raise FallaCache(f"La URL de Redis {cfg.url_enmascarada} no es válida: {e}") from None


def _falla(cfg: Configuracion, e: Exception) -> FallaCache:
    from amauta_cli.db import enmascarar_texto

    import redis

    motivo = enmascarar_texto(str(e) or type(e).__name__, cfg.url)
    if isinstance(e, redis.AuthenticationError):
        que = "rechazó la autenticación (revise usuario y contraseña de la URL)"
    elif isinstance(e, (redis.TimeoutError, TimeoutError)):
        que = f"no respondió en {textos_duracion(cfg.tiempo_espera)}"
    elif isinstance(e, (redis.ConnectionError, OSError)):
        que = "no acepta conexiones (¿está en marcha redis-server? ¿es correcta la URL?)"
    elif "NOPERM" in str(e):
        que = "rechazó la orden: el usuario de la URL no tiene permiso"
    else:
        que = "rechazó la orden"
    return FallaCache(f"Redis en {cfg.url_enmascarada} {que}. Detalle: {motivo}")


def textos_duracion(segundos: float) -> str:
    from amauta_cli import textos

    return textos.duracion(segundos)


def _errores_redis() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


def _borrar(cliente: "redis.Redis", patron: str) -> int:
    """``SCAN MATCH patron`` + ``UNLINK`` por lotes; cuántas claves se borraron."""
    borradas = 0
    lote: list[bytes] = []
    for clave in cliente.scan_iter(match=patron, count=1000):
        lote.append(clave)
        if len(lote) >= LOTE_UNLINK:
            borradas += int(cliente.unlink(*lote))
            lote = []
    if lote:
        borradas += int(cliente.unlink(*lote))
    return borradas


def _contar(cliente: "redis.Redis", patron: str) -> int:
    return sum(1 for _ in cliente.scan_iter(match=patron, count=1000))


@dataclass(frozen=True)
class Invalidacion:
    url: str  # enmascarada
    patrones: tuple[str, ...]
    borradas: int
    por_patron: Mapping[str, int] = field(default_factory=dict)


def invalidar(tablas: Iterable[str], cfg: Configuracion | None = None) -> Invalidacion | None:
    """Borra las claves de los patrones de ``tablas``. None si no hay Redis configurado.

    Lanza ``FallaCache`` si Redis no responde o rechaza la orden.
    """
    cfg = cfg or configuracion()
    if cfg is None:
        return None
    return limpiar(cfg.patrones_de(tablas), cfg)


def limpiar(patrones: Sequence[str], cfg: Configuracion | None = None) -> Invalidacion:
    cfg = cfg or exigir_configuracion()
    cliente = _cliente(cfg)
    por_patron: dict[str, int] = {}
    try:
        for p in patrones:
            por_patron[p] = _borrar(cliente, p)
    except _errores_redis() as e:
        raise _falla(cfg, e) from None
    finally:
        cliente.close()
    return Invalidacion(cfg.url_enmascarada, tuple(patrones), sum(por_patron.values()), por_patron)


@dataclass(frozen=True)
class Publicacion:
    url: str
    canal: str
    mensajes: int
    receptores: int


def mensajes_de_cambios(cambios: Mapping[str, Iterable[Any]], comando: str = "") -> list[dict[str, Any]]:
    """Un mensaje por tabla: ``{"tabla", "ids", "cantidad", "origen", "comando"}``. ``ids``
    (las claves primarias; las compuestas como ``a:b``) es null cuando no se conocen (un upsert
    de muchas filas) o son más de ``MAXIMO_IDS``: la aplicación descarta todo lo de esa tabla."""
    mensajes = []
    for tabla, ids in sorted(cambios.items()):
        ids = set(ids)
        toda = TODA_LA_TABLA in ids
        lista = sorted({_id_texto(i) for i in ids if i is not TODA_LA_TABLA})
        if not lista and not toda:
            continue
        mensajes.append(
            {
                "tabla": tabla,
                "ids": None if toda or len(lista) > MAXIMO_IDS else lista,
                "cantidad": None if toda else len(lista),
                "origen": "amauta",
                "comando": comando,
            }
        )
    return mensajes


def _id_texto(i: Any) -> Any:
    if isinstance(i, (tuple, list)):
        return ":".join(str(x) for x in i)
    return str(i)


def publicar(cambios: Mapping[str, Iterable[Any]], comando: str = "", cfg: Configuracion | None = None) -> Publicacion | None:
    """``PUBLISH`` de la tabla y los ids cambiados en el canal configurado."""
    cfg = cfg or configuracion()
    if cfg is None:
        return None
    mensajes = mensajes_de_cambios(cambios, comando)
    if not mensajes:
        return Publicacion(cfg.url_enmascarada, cfg.canal, 0, 0)
    cliente = _cliente(cfg)
    receptores = 0
    try:
        for m in mensajes:
            receptores += int(cliente.publish(cfg.canal, json.dumps(m, ensure_ascii=False)))
    except _errores_redis() as e:
        raise _falla(cfg, e) from None
    finally:
        cliente.close()
    return Publicacion(cfg.url_enmascarada, cfg.canal, len(mensajes), receptores)


def exigir_configuracion() -> Configuracion:
    cfg = configuracion()
    if cfg is None:
        raise AmautaError(
            "No hay un Redis configurado: defina AMAUTA_REDIS_URL (p. ej. "
            "redis://127.0.0.1:6379/0) o cache.redis_url en el archivo de ajustes."
        )
    return cfg


@dataclass(frozen=True)
class EstadoCache:
    url: str
    version: str
    modo: str
    memoria_usada: int
    memoria_maxima: int
    politica: str
    claves_totales: int
    canal: str
    #: (patrón, tablas que lo usan, claves)
    patrones: tuple[tuple[str, str, int], ...]


def estado(cfg: Configuracion | None = None) -> EstadoCache:
    cfg = cfg or exigir_configuracion()
    cliente = _cliente(cfg)
    try:
        info = cliente.info()
        claves = int(cliente.dbsize())
        filas = []
        for p in cfg.todos_los_patrones:
            tablas = [t for t, ps in cfg.patrones.items() if p in ps]
            filas.append((p, ", ".join(tablas), _contar(cliente, p)))
    except _errores_redis() as e:
        raise _falla(cfg, e) from None
    finally:
        cliente.close()
    return EstadoCache(
        url=cfg.url_enmascarada,
        version=str(info.get("redis_version", "?")),
        modo=str(info.get("redis_mode", "standalone")),
        memoria_usada=int(info.get("used_memory", 0)),
        memoria_maxima=int(info.get("maxmemory", 0)),
        politica=str(info.get("maxmemory_policy", "")),
        claves_totales=claves,
        canal=cfg.canal,
        patrones=tuple(filas),
    )


def comando_sugerido(patrones: Sequence[str]) -> str:
    """``amauta cache limpiar --patron ... --si`` para los patrones dados."""
    import shlex

    partes = ["amauta", "cache", "limpiar"]
    for p in patrones:
        partes += ["--patron", shlex.quote(p)]
    return " ".join(partes + ["--si"])
