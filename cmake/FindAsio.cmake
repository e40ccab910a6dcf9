# Finds standalone Asio (Debian: libasio-dev), which ships no CMake package of its own.
# Provides Asio::Asio, an interface target that compiles Asio without Boost.
include(FindPackageHandleStandardArgs)

find_path(Asio_INCLUDE_DIR NAMES asio.hpp)
if(Asio_INCLUDE_DIR AND EXISTS "${Asio_INCLUDE_DIR}/asio/version.hpp")
  file(STRINGS "${Asio_INCLUDE_DIR}/asio/version.hpp" _asio_version_line
       REGEX "^#define ASIO_VERSION [0-9]+")
  string(REGEX REPLACE "^#define ASIO_VERSION ([0-9]+).*" "\\1" _asio_v "${_asio_version_line}")
  math(EXPR _asio_major "${_asio_v} / 100000")
  math(EXPR _asio_minor "${_asio_v} / 100 % 1000")
  math(EXPR _asio_patch "${_asio_v} % 100")
  set(Asio_VERSION "${_asio_major}.${_asio_minor}.${_asio_patch}")
endif()

find_package_handle_standard_args(Asio REQUIRED_VARS Asio_INCLUDE_DIR VERSION_VAR Asio_VERSION)

if(Asio_FOUND AND NOT TARGET Asio::Asio)
  find_package(Threads REQUIRED)
  add_library(Asio::Asio INTERFACE IMPORTED)
  set_target_properties(Asio::Asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Asio_INCLUDE_DIR}"
    # Asio 1.22 detects C++20 coroutines only on GCC and MSVC; Clang 14 with libstdc++ has them
    # too, so asio::awaitable and use_awaitable are switched on for Clang explicitly.
    # ASIO_NO_DEPRECATED is not among these: it would take io_context::work and io.post() from
    # a host that links dynamo, and a macro that changes Asio must be the same in every file of
    # a program. The header check (tests/headers) sets it to keep dynamo off the deprecated API.
    INTERFACE_COMPILE_DEFINITIONS
      "ASIO_STANDALONE;$<$<CXX_COMPILER_ID:Clang>:ASIO_HAS_CO_AWAIT;ASIO_HAS_STD_COROUTINE>"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(Asio_INCLUDE_DIR)
