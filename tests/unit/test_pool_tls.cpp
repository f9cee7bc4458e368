// SPDX-License-Identifier: MIT
// Stratum over TLS against the test pool with a self-signed certificate made at test
// time (openssl): refused by default (system CAs), accepted with the certificate as CA,
// and with verification switched off (the test-pool option); shares go through.
#include <boost/test/unit_test.hpp>

#include "pool_rig.hpp"
#include "temp_dir.hpp"

#include <cstdlib>

using namespace pool_rig;

namespace {

struct Cert {
	hbtest::TempDir dir;
	std::string cert = dir.file("cert.pem");
	std::string key = dir.file("key.pem");
	Cert()
	{
		const std::string cmd =
		    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
		    "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
		    key + " -out " + cert + " >/dev/null 2>&1";
		BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0, "openssl could not make a cert");
	}
};

hbpool::TestPoolOptions tls_options(const Cert &c)
{
	auto o = pool_options();
	o.cert_file = c.cert;
	o.key_file = c.key;
	return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pool_tls)

BOOST_AUTO_TEST_CASE(a_self_signed_pool_is_refused_by_default)
{
	Cert c;
	Net net;
	hbpool::TestPool pool(net.io, tls_options(c));
	BOOST_TEST(pool.url().rfind("stratum+ssl://", 0) == 0u);
	PoolManager m(net.io, net.clock, manager_options(), {config_for(pool, "w")});
	m.start();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].get_failures >= 2; }));
	BOOST_TEST(!m.active().has_value());
	BOOST_TEST(pool.subscribes() == 0u);
}

BOOST_AUTO_TEST_CASE(shares_over_tls_with_the_cert_as_ca_and_without_verification)
{
	Cert c;
	for (const bool verify : {true, false}) {
		Net net;
		hbpool::TestPool pool(net.io, tls_options(c));
		PoolConfig pc = config_for(pool, "w");
		pc.tls_verify = verify;
		if (verify)
			pc.ca_file = c.cert;
		PoolManager m(net.io, net.clock, manager_options(), {pc});
		JobSource src(m, 2);
		m.start();
		BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
		for (const auto &f : find_shares(src, m, 1, 3))
			BOOST_TEST((src.on_nonce(f.work_id, f.nonce, f.version) == Offer::queued));
		BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].accepted == 3; }));
		BOOST_TEST(pool.counts("w").accepted == 3u);
		BOOST_TEST(pool.totals().rejected == 0u);
	}
}

BOOST_AUTO_TEST_SUITE_END()
