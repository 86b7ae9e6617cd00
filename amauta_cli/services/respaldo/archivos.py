"""Archivos de los respaldos, escritos sin exponer datos personales.

- Cada archivo temporal se crea con ``O_CREAT | O_EXCL | O_NOFOLLOW`` y modo 600, con un
  nombre imposible de adivinar: un enlace simbólico plantado en su lugar nunca se sigue.
- El archivo definitivo aparece con ``os.link`` (que falla si el nombre ya existe): nunca
  se pisa un archivo o un enlace que esté en el destino.
- Las carpetas que amauta crea son 700, también las intermedias de ``--salida a/b/c/``.
- El nombre de cada temporal lleva a su dueño (máquina, arranque del sistema, PID e
  instante de inicio del proceso): si quedó de un proceso que ya no existe (``kill -9``,
  un corte de luz), ``restos()`` lo encuentra y ``borrar_restos()`` lo borra; el de un
  proceso vivo, o de otra máquina, nunca se toca.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from amauta_cli.errores import DatosInvalidos, OperacionRechazada

from amauta_cli.textos import tamano

from .comun import BLOQUE

#: Clases de temporales: ``parcial`` (respaldo o manifiesto a medio escribir), ``copia``
#: (carpeta privada con la copia SQLite que se comprime), ``restaurando`` (la base SQLite
#: nueva junto al destino) y ``verificando`` (carpeta privada de una verificación SQLite).
CLASES = ("parcial", "copia", "restaurando", "verificando")

_FLAGS_NUEVO = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


# --- El dueño de un temporal -------------------------------------------------------------------
def _h8(texto: str) -> str:
    return hashlib.sha256(texto.encode("utf-8", "replace")).hexdigest()[:8]


@lru_cache(maxsize=1)
def _maquina() -> str:
    return _h8(socket.gethostname())


@lru_cache(maxsize=1)
def _arranque() -> str:
    """El arranque actual del sistema (Linux: ``boot_id``); ``0`` si no se sabe."""
    try:
        return _h8(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    except OSError:
        return "0" * 8


def _inicio_proceso(pid: int) -> str | None:
    """Cuándo arrancó el proceso ``pid`` (Linux: campo 22 de ``/proc/PID/stat``), para no
    confundirlo con otro que reciba el mismo PID. ``None`` si no existe; ``0`` si el sistema
    no lo dice."""
    try:
        datos = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        datos = ""
    if datos:
        try:
            return datos.rsplit(")", 1)[1].split()[19]
        except IndexError:  # pragma: no cover
            pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        pass
    return "0"


def dueno() -> str:
    """``máquina-arranque-pid-inicio`` de este proceso."""
    pid = os.getpid()
    return f"{_maquina()}-{_arranque()}-{pid}-{_inicio_proceso(pid) or '0'}"


def estado_dueno(maquina: str, arranque: str, pid: int, inicio: str) -> str:
    """``vivo``, ``terminado`` u ``otra máquina``."""
    if maquina != _maquina():
        return "otra máquina"
    if arranque != _arranque() and "0" * 8 not in (arranque, _arranque()):
        return "terminado"  # la máquina se reinició desde entonces
    actual = _inicio_proceso(pid)
    if actual is None:
        return "terminado"
    if inicio != "0" and actual != "0" and actual != inicio:
        return "terminado"  # el PID lo tiene ahora otro proceso
    return "vivo"


_DUENO = r"(?P<maquina>[0-9a-f]{8})-(?P<arranque>[0-9a-f]{8})-(?P<pid>\d+)-(?P<inicio>\d+)"
#: ``.<nombre>.<clase>-<dueño>-<azar>[-journal|-wal|-shm]``
_PATRON_TEMPORAL = re.compile(
    r"^\.(?P<nombre>.+)\.(?P<clase>" + "|".join(CLASES) + r")-" + _DUENO
    + r"-(?P<azar>[0-9a-f]{16})(?P<sufijo>-journal|-wal|-shm)?$"
)
#: Temporales de versiones anteriores de amauta (sin dueño en el nombre, o solo con el PID).
_PATRON_VIEJO_PARCIAL = re.compile(r"^\.(?P<nombre>.+)\.parcial$")
_PATRON_VIEJO_PID = re.compile(
    r"^\.(?P<nombre>.+?)(?:\.(?P<pid1>\d+)\.copia|\.restaurando-(?P<pid2>\d+))(?:-journal|-wal|-shm)?$"
)
#: Un temporal viejo sin PID se da por abandonado si nadie lo escribe hace este tiempo.
ABANDONO_VIEJO = 3600.0


def nombre_temporal(destino: Path, clase: str) -> Path:
    """Un nombre nuevo e impredecible junto a ``destino`` que dice quién lo usa."""
    assert clase in CLASES
    return destino.with_name(f".{destino.name}.{clase}-{dueno()}-{secrets.token_hex(8)}")


# --- Carpetas y archivos nuevos ------------------------------------------------------------------
def crear_carpeta(carpeta: Path, que: str = "la carpeta de respaldos") -> None:
    """Crea ``carpeta`` y las intermedias que falten, cada una 700."""
    faltan = []
    p = Path(carpeta)
    while not os.path.lexists(p):
        faltan.append(p)
        if p.parent == p:
            break
        p = p.parent
    try:
        for d in reversed(faltan):
            try:
                os.mkdir(d, 0o700)
            except FileExistsError:
                if not d.is_dir():
                    raise
    except OSError as e:
        raise DatosInvalidos(f"No se pudo crear {que} {carpeta}: {e.strerror}.") from None
    if not Path(carpeta).is_dir():
        raise DatosInvalidos(f"{carpeta} no es una carpeta: no se puede usar como {que}.")


def abrir_nuevo(ruta: Path) -> int:
    """Un descriptor de un archivo NUEVO, modo 600; falla si ya existe algo con ese nombre
    (también un enlace simbólico, aunque apunte a la nada)."""
    return os.open(ruta, _FLAGS_NUEVO, 0o600)


def publicar(temporal: Path, ruta: Path) -> None:
    """Da a ``temporal`` (ya completo y en disco) su nombre definitivo ``ruta`` sin pisar
    nada: si ``ruta`` apareció mientras tanto, el temporal se borra y es un error."""
    try:
        os.link(temporal, ruta, follow_symlinks=False)
    except FileExistsError:
        temporal.unlink(missing_ok=True)
        raise OperacionRechazada(
            f"{ruta} apareció mientras se escribía el respaldo: amauta no sobrescribe archivos. "
            "Vuelva a intentarlo con otro nombre."
        ) from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # Sistemas de archivos sin enlaces duros: renombrar, después de comprobar.
        if os.path.lexists(ruta):
            temporal.unlink(missing_ok=True)
            raise OperacionRechazada(
                f"{ruta} apareció mientras se escribía el respaldo: amauta no sobrescribe archivos."
            ) from None
        os.rename(temporal, ruta)
    else:
        temporal.unlink()
    fsync_carpeta(ruta.parent)


def fsync_carpeta(carpeta: Path) -> None:
    try:
        fd = os.open(carpeta, os.O_RDONLY)
    except OSError:  # pragma: no cover - p. ej. sistemas sin O_RDONLY sobre carpetas
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


class Escritor:
    """Escribe un archivo nuevo calculando su SHA-256 y tamaño, en un temporal privado
    (600, nombre impredecible, ``O_EXCL | O_NOFOLLOW``) junto al destino.

    ``cerrar()`` lo vuelca a disco y le da el nombre definitivo sin pisar nada: un respaldo
    a medias nunca tiene el nombre definitivo. ``descartar()`` borra el temporal.
    """

    def __init__(self, ruta: Path):
        self.ruta = ruta
        self.parcial = nombre_temporal(ruta, "parcial")
        self._f = os.fdopen(abrir_nuevo(self.parcial), "wb", buffering=0)
        self._h = hashlib.sha256()
        self.tamano = 0

    def write(self, datos: bytes) -> int:
        self._f.write(datos)
        self._h.update(datos)
        self.tamano += len(datos)
        return len(datos)

    def flush(self) -> None:  # para gzip.GzipFile
        pass

    @property
    def sha256(self) -> str:
        return self._h.hexdigest()

    def cerrar(self) -> None:
        os.fsync(self._f.fileno())
        self._f.close()
        publicar(self.parcial, self.ruta)

    def descartar(self) -> None:
        try:
            self._f.close()
        finally:
            self.parcial.unlink(missing_ok=True)


def escribir_json(ruta: Path, datos: dict[str, Any]) -> None:
    """Un JSON nuevo (600), escrito aparte y publicado sin pisar nada."""
    parcial = nombre_temporal(ruta, "parcial")
    try:
        with os.fdopen(abrir_nuevo(parcial), "w", encoding="utf-8") as f:
            json.dump(datos, f, ensure_ascii=False, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        publicar(parcial, ruta)
    finally:
        parcial.unlink(missing_ok=True)


@contextmanager
def carpeta_privada(junto_a: Path, clase: str) -> Iterator[Path]:
    """Una carpeta nueva, 700, junto a ``junto_a`` (mismo sistema de archivos), que se
    borra al salir por cualquier camino. Si el proceso muere, ``restos()`` la encuentra."""
    ruta = nombre_temporal(junto_a, clase)
    os.mkdir(ruta, 0o700)
    try:
        yield ruta
    finally:
        shutil.rmtree(ruta, ignore_errors=True)


def carpeta_temporal_del_sistema() -> Path:
    return Path(tempfile.gettempdir())


def sha256_de(archivo: Path) -> str:
    h = hashlib.sha256()
    with open(archivo, "rb") as f:
        while bloque := f.read(BLOQUE):
            h.update(bloque)
    return h.hexdigest()


def exigir_espacio(carpeta: Path, necesario: int, que: str) -> None:
    """Rechaza, antes de empezar, si en ``carpeta`` no hay ``necesario`` bytes libres."""
    try:
        libre = shutil.disk_usage(carpeta).free
    except OSError:  # pragma: no cover - no se puede saber: que lo diga el sistema después
        return
    if libre < necesario:
        raise OperacionRechazada(
            f"No hay espacio suficiente en {carpeta} para {que}: hacen falta unos "
            f"{tamano(necesario)} libres y hay {tamano(libre)}. Libere espacio o "
            "elija otra carpeta con --salida. No se escribió nada."
        )


# --- Restos de procesos interrumpidos -------------------------------------------------------------
@dataclass(frozen=True)
class Resto:
    """Un temporal (archivo, carpeta o base desechable) de un respaldo, una verificación o
    una restauración."""

    tipo: str  # "archivo temporal", "carpeta temporal" o "base desechable"
    nombre: str
    ubicacion: str  # carpeta, o servidor para una base desechable
    tamano: int | None
    #: ``vivo``, ``terminado``, ``otra máquina``, ``abandonado`` o ``en uso``.
    estado: str
    pid: int | None = None

    @property
    def huerfano(self) -> bool:
        """Se puede borrar: su proceso ya no existe."""
        return self.estado in ("terminado", "abandonado")

    @property
    def ruta(self) -> str:
        return str(Path(self.ubicacion) / self.nombre) if self.tipo != "base desechable" else self.nombre


def _tamano(ruta: Path) -> int:
    try:
        st = ruta.lstat()
    except OSError:
        return 0
    if not os.path.isdir(ruta) or os.path.islink(ruta):
        return st.st_size
    total = 0
    for raiz, _dirs, archivos in os.walk(ruta):
        for a in archivos:
            try:
                total += os.lstat(os.path.join(raiz, a)).st_size
            except OSError:
                pass
    return total


def restos(carpetas: list[Path], viejos: bool = True) -> list[Resto]:
    """Los temporales de amauta en ``carpetas`` (sin repetir), con el estado de su dueño.

    ``viejos``: también los nombres de versiones anteriores de amauta (no en carpetas
    compartidas como ``/tmp``, donde otro programa podría usar nombres parecidos)."""
    vistos: set[Path] = set()
    hallados: list[Resto] = []
    for carpeta in carpetas:
        try:
            real = carpeta.resolve()
        except OSError:
            continue
        if real in vistos or not carpeta.is_dir():
            continue
        vistos.add(real)
        try:
            nombres = sorted(os.listdir(carpeta))
        except OSError:
            continue
        for nombre in nombres:
            if not nombre.startswith("."):
                continue
            r = _resto(carpeta, nombre, viejos)
            if r is not None:
                hallados.append(r)
    return hallados


def _resto(carpeta: Path, nombre: str, viejos: bool) -> Resto | None:
    ruta = carpeta / nombre
    es_carpeta = os.path.isdir(ruta) and not os.path.islink(ruta)
    tipo = "carpeta temporal" if es_carpeta else "archivo temporal"
    m = _PATRON_TEMPORAL.match(nombre)
    if m:
        pid = int(m["pid"])
        estado = estado_dueno(m["maquina"], m["arranque"], pid, m["inicio"])
        return Resto(tipo, nombre, str(carpeta), _tamano(ruta), estado, pid)
    if not viejos:
        return None
    m = _PATRON_VIEJO_PID.match(nombre)
    if m and not es_carpeta:
        pid = int(m["pid1"] or m["pid2"])
        vivo = _inicio_proceso(pid) is not None
        return Resto(tipo, nombre, str(carpeta), _tamano(ruta), "vivo" if vivo else "terminado", pid)
    m = _PATRON_VIEJO_PARCIAL.match(nombre)
    if m and not es_carpeta:
        try:
            quieto = time.time() - ruta.lstat().st_mtime
        except OSError:
            return None
        return Resto(tipo, nombre, str(carpeta), _tamano(ruta),
                     "abandonado" if quieto > ABANDONO_VIEJO else "en uso")
    return None


def borrar_resto(r: Resto) -> bool:
    """Borra un temporal huérfano (nunca sigue enlaces). Devuelve si lo borró."""
    if not r.huerfano or r.tipo == "base desechable":
        return False
    ruta = Path(r.ubicacion) / r.nombre
    try:
        if os.path.isdir(ruta) and not os.path.islink(ruta):
            shutil.rmtree(ruta)
        else:
            os.unlink(ruta)
    except FileNotFoundError:
        return False
    return True
