# Debian packages, one per install component of deploy/CMakeLists.txt:
#   cpack -G DEB --config BUILD_DIR/CPackConfig.cmake -B OUTPUT_DIR
# buildfarm-common, -exporter, -scheduler, -agent and -cli, versioned PROJECT_VERSION. Dependencies on
# shared libraries come from dpkg-shlibdeps (dpkg-dev). The services' maintainer scripts come from
# postinst.in, prerm.in and postrm.in here; /etc/buildfarm/NAME.yml is each service's conffile.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME buildfarm)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "buildfarm maintainers <buildfarm@localhost>")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL common exporter scheduler agent cli)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Staged with DESTDIR, so that the files under /etc and /lib/systemd land in the package, not on this
# machine, and the install steps see the packages' prefix, /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_COMPONENT_COMMON_DESCRIPTION "Build farm: shared data
The units' start check (wait-healthy), the JSON Schemas of the status, job and message documents,
the Prometheus recording and alerting rules, an Alertmanager example, and the Grafana dashboards
with their provisioning files, under /usr/share/buildfarm.")
set(CPACK_DEBIAN_COMMON_PACKAGE_ARCHITECTURE all)
set(CPACK_COMPONENT_EXPORTER_DESCRIPTION "Build farm: build node metrics for Prometheus
buildfarm-exporter serves this node's metrics on port 9100; buildfarm-exporter-publish publishes its
status document to git (the exporter runs it when publish: is set; also the cron line).")
set(CPACK_COMPONENT_SCHEDULER_DESCRIPTION "Build farm: job scheduler and API
buildfarm-scheduler serves the job API on port 8080, keeps the job store, leases and failover.")
set(CPACK_COMPONENT_AGENT_DESCRIPTION "Build farm: build agent
buildfarm-agent registers this node with the scheduler and runs the jobs it assigns, each as an
unprivileged uid of its own, in a cgroup of its own.")
set(CPACK_COMPONENT_CLI_DESCRIPTION "Build farm: command line for the scheduler's API
build-cli submits and follows jobs, lists nodes and reads messages.")
foreach(service EXPORTER SCHEDULER AGENT)
  set(CPACK_COMPONENT_${service}_DEPENDS common)
endforeach()
# What the agent's postinst runs to create its user (as dh_installsysusers declares it).
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "systemd | systemd-sysusers | systemd-standalone-sysusers")

# The services' control files: maintainer scripts for their unit, and their configuration as conffile.
foreach(service exporter scheduler agent)
  set(PACKAGE buildfarm-${service})
  set(UNIT buildfarm-${service}.service)
  set(SYSUSERS_CONF "")
  if(service STREQUAL "agent")
    set(SYSUSERS_CONF buildfarm-agent.conf)
  endif()
  set(control_dir ${CMAKE_CURRENT_BINARY_DIR}/debian/${PACKAGE})
  foreach(script postinst prerm postrm)
    configure_file(${CMAKE_CURRENT_LIST_DIR}/${script}.in ${control_dir}/${script} @ONLY)
  endforeach()
  file(CONFIGURE OUTPUT ${control_dir}/conffiles CONTENT "/etc/buildfarm/${service}.yml\n")
  string(TOUPPER ${service} component)
  set(CPACK_DEBIAN_${component}_PACKAGE_CONTROL_EXTRA
      ${control_dir}/postinst ${control_dir}/prerm ${control_dir}/postrm ${control_dir}/conffiles)
endforeach()

include(CPack)
