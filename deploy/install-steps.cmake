# Install-time steps that plain install(FILES) cannot do; deploy/CMakeLists.txt runs them through
# install(CODE). They run inside `cmake --install` and cpack, where CMAKE_INSTALL_PREFIX is the prefix
# being installed to (--prefix, or /usr for the Debian packages) and $ENV{DESTDIR} the staging root.
# Functions, so that their variables stay theirs; each passes the install manifest back up.

# The unit SOURCE with @BINDIR@ and @LIBEXECDIR@ (each relative to the prefix, or absolute) filled in.
# Under the /usr prefix (the Debian packages) units go to /lib/systemd/system, where packages keep
# theirs; any other prefix is a local install, whose units go to /etc/systemd/system because systemd
# looks in neither /opt nor most other prefixes.
function(buildfarm_install_unit source bindir libexecdir)
  cmake_path(ABSOLUTE_PATH bindir BASE_DIRECTORY "${CMAKE_INSTALL_PREFIX}" OUTPUT_VARIABLE BINDIR)
  cmake_path(ABSOLUTE_PATH libexecdir BASE_DIRECTORY "${CMAKE_INSTALL_PREFIX}" OUTPUT_VARIABLE LIBEXECDIR)
  if(CMAKE_INSTALL_PREFIX MATCHES "^/usr/?$")
    set(unitdir /lib/systemd/system)
  else()
    set(unitdir /etc/systemd/system)
  endif()
  cmake_path(GET source FILENAME unit)
  message(STATUS "Installing: $ENV{DESTDIR}${unitdir}/${unit}")
  configure_file("${source}" "$ENV{DESTDIR}${unitdir}/${unit}" @ONLY
                 FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "$ENV{DESTDIR}${unitdir}/${unit}")
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
endfunction()

# The example configuration SOURCE as /etc/buildfarm/NAME.yml (the units read it there whatever the
# prefix). An existing NAME.yml is the operator's and stays: the new example goes next to it as
# NAME.yml.example. Mode 0644: the exporter and scheduler run as systemd dynamic users, and the
# scheduler's file holds only SHA-256 digests of tokens, never the tokens.
function(buildfarm_install_config source)
  set(confdir /etc/buildfarm)
  cmake_path(GET source FILENAME name)
  set(installed_name ${name})
  if(EXISTS "$ENV{DESTDIR}${confdir}/${name}")
    set(installed_name ${name}.example)
    message(STATUS "Keeping: $ENV{DESTDIR}${confdir}/${name} (the new example is ${installed_name})")
  endif()
  file(INSTALL "${source}" DESTINATION "${confdir}" RENAME "${installed_name}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
endfunction()
