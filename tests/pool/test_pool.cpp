// SPDX-License-Identifier: MIT
#include <hbpool/test_pool.hpp>

#include <hashboardd/stratum/json_rpc.hpp>
#include <hashboardd/stratum/session.hpp>

#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <array>
#include <deque>
#include <stdexcept>

namespace hbpool {
namespace asio = boost::asio;
namespace json = boost::json;
using boost::system::error_code;
using hashboardd::stratum::make_error;

struct TestPool::Tls {
	asio::ssl::context ctx{asio::ssl::context::tls_server};
};

struct TestPool::Conn : std::enable_shared_from_this<TestPool::Conn> {
	TestPool &pool;
	bool tls;
	asio::ssl::stream<asio::ip::tcp::socket> stream;
	hashboardd::stratum::LineReader reader;
	std::array<char, 4096> buf{};
	std::deque<std::string> out;
	bool writing = false;
	bool closed = false;
	bool subscribed = false;
	std::set<std::string> workers;
	std::string extranonce1;
	std::uint32_t mask = 0;
	std::map<std::string, double> job_difficulty; // job id -> difficulty it was sent with
	double difficulty;

	Conn(TestPool &p, asio::ip::tcp::socket s, asio::ssl::context &ctx, bool use_tls)
	    : pool(p), tls(use_tls), stream(std::move(s), ctx), difficulty(p.difficulty_)
	{
	}

	void start()
	{
		if (!tls) {
			read();
			return;
		}
		auto self = shared_from_this();
		stream.async_handshake(asio::ssl::stream_base::server,
		                       [self](const error_code &ec) {
			                       if (ec)
				                       self->close();
			                       else
				                       self->read();
		                       });
	}

	void read()
	{
		auto self = shared_from_this();
		auto on_read = [self](const error_code &ec, std::size_t n) {
			if (self->closed)
				return;
			if (ec || !self->reader.feed(std::string_view(self->buf.data(), n))) {
				self->close();
				return;
			}
			while (auto line = self->reader.next_line())
				if (!self->pool.silent_)
					self->handle(*line);
			self->read();
		};
		if (tls)
			stream.async_read_some(asio::buffer(buf), on_read);
		else
			stream.next_layer().async_read_some(asio::buffer(buf), on_read);
	}

	void send(std::string line)
	{
		if (closed)
			return;
		out.push_back(std::move(line));
		write();
	}

	void write()
	{
		if (writing || out.empty() || closed)
			return;
		writing = true;
		auto self = shared_from_this();
		auto done = [self](const error_code &ec, std::size_t) {
			self->writing = false;
			if (ec) {
				self->close();
				return;
			}
			self->out.pop_front();
			self->write();
		};
		if (tls)
			asio::async_write(stream, asio::buffer(out.front()), done);
		else
			asio::async_write(stream.next_layer(), asio::buffer(out.front()), done);
	}

	void close()
	{
		if (closed)
			return;
		closed = true;
		error_code ignored;
		stream.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
		stream.next_layer().close(ignored);
	}

	void reply(const json::value &id, const json::value &result)
	{
		send(hashboardd::stratum::encode_response(id, result, nullptr));
	}
	void refuse(const json::value &id, int code, std::string_view why)
	{
		send(hashboardd::stratum::encode_response(id, false, make_error(code, why)));
	}

	void handle(const std::string &line)
	{
		const auto d = hashboardd::stratum::decode_line(line);
		if (!d.message)
			return; // a pool ignores what it cannot read
		const auto *req = std::get_if<hashboardd::stratum::Request>(&*d.message);
		if (!req)
			return;
		const auto &p = req->params;
		if (req->method == "mining.configure")
			configure(*req);
		else if (req->method == "mining.subscribe")
			subscribe(*req);
		else if (req->method == "mining.authorize") {
			if (p.empty() || !p[0].is_string() || p[0].as_string().empty()) {
				refuse(req->id, 24, "no worker name");
				return;
			}
			workers.insert(std::string(p[0].as_string()));
			reply(req->id, true);
		} else if (req->method == "mining.suggest_difficulty" ||
		           req->method == "mining.extranonce.subscribe")
			reply(req->id, true);
		else if (req->method == "mining.submit")
			submit(*req);
		else
			send(hashboardd::stratum::encode_response(
			    req->id, nullptr, make_error(20, "unknown method")));
	}

	void configure(const hashboardd::stratum::Request &req)
	{
		json::object result;
		const auto &p = req.params;
		if (p.size() >= 2 && p[1].is_object()) {
			const auto &o = p[1].as_object();
			if (const auto *m = o.if_contains("version-rolling.mask");
			    m && m->is_string()) {
				const auto asked = hashboard::parse_hex_number(m->as_string(), 8);
				mask =
				    std::uint32_t(asked.value_or(0)) & pool.options_.version_mask;
				result["version-rolling"] = true;
				result["version-rolling.mask"] = fmt::format("{:08x}", mask);
			}
			if (o.if_contains("minimum-difficulty.value"))
				result["minimum-difficulty"] = false;
		}
		reply(req.id, result);
	}

	void subscribe(const hashboardd::stratum::Request &req)
	{
		std::string sid;
		const auto &p = req.params;
		if (p.size() >= 2 && p[1].is_string()) {
			const auto it = pool.sessions_.find(std::string(p[1].as_string()));
			if (it != pool.sessions_.end()) {
				sid = it->first;
				extranonce1 = it->second;
				++pool.resumes_;
			}
		}
		if (sid.empty()) {
			const std::uint64_t n = pool.next_session_++;
			sid = fmt::format("{:08x}", n * 0x9e3779b1u);
			extranonce1 = fmt::format("{:08x}", 0x57a6f098u + std::uint32_t(n));
			pool.sessions_[sid] = extranonce1;
		}
		++pool.subscribes_;
		subscribed = true;
		reply(req.id, json::array{json::array{json::array{"mining.set_difficulty", sid},
		                                      json::array{"mining.notify", sid}},
		                          extranonce1, pool.options_.extranonce2_size});
		send(hashboardd::stratum::encode_notification("mining.set_difficulty",
		                                              json::array{difficulty}));
		if (!pool.job_order_.empty())
			pool.send_job(*this, pool.jobs_.at(pool.job_order_.back()).notify);
	}

	void submit(const hashboardd::stratum::Request &req)
	{
		const auto &p = req.params;
		const std::string worker =
		    !p.empty() && p[0].is_string() ? std::string(p[0].as_string()) : std::string();
		WorkerCounts &c = pool.counts_[worker];
		auto no = [&](int code, std::string_view why) {
			++c.rejected;
			if (code == 21)
				++c.stale;
			else if (code == 22)
				++c.duplicates;
			else if (code == 23)
				++c.low_difficulty;
			else
				++c.other;
			refuse(req.id, code, why);
		};
		if (!subscribed)
			return no(25, "not subscribed");
		if (!workers.count(worker))
			return no(24, "unauthorized worker");
		if (p.size() < 5)
			return no(20, "submit needs 5 or 6 parameters");
		for (std::size_t i = 1; i < p.size() && i < 6; ++i)
			if (!p[i].is_string())
				return no(20, "a submit parameter is not a string");
		const std::string job_id(p[1].as_string());
		const auto job = pool.jobs_.find(job_id);
		if (job == pool.jobs_.end() || !job->second.live || !job_difficulty.count(job_id))
			return no(21, "job not found");
		const auto ntime = hashboard::parse_hex_number(p[3].as_string(), 8);
		const auto nonce = hashboard::parse_hex_number(p[4].as_string(), 8);
		std::uint64_t vbits = 0;
		if (p.size() >= 6) {
			const auto v = hashboard::parse_hex_number(p[5].as_string(), 8);
			if (!v)
				return no(20, "version bits are not hex");
			vbits = *v;
		}
		if (!ntime || !nonce)
			return no(20, "ntime or nonce is not hex");
		if (vbits & ~std::uint64_t(mask))
			return no(20, "version bits outside the mask");
		hashboard::StratumNotify n = job->second.notify;
		const std::uint32_t job_ntime =
		    std::uint32_t(hashboard::parse_hex_number(n.ntime, 8).value_or(0));
		if (*ntime < job_ntime || *ntime > job_ntime + 7200)
			return no(20, "ntime out of range");
		n.ntime = fmt::format("{:08x}", *ntime);
		hashboard::Hash256 hash{};
		try {
			const hashboard::JobBuilder b(n, extranonce1,
			                              pool.options_.extranonce2_size, mask);
			const hashboard::Bytes en2 =
			    hashboard::from_hex(std::string(p[2].as_string()));
			hash = hashboard::sha256::sha256d_header(
			    b.header(en2, std::uint32_t(*nonce), std::uint32_t(vbits)));
		} catch (const std::invalid_argument &e) {
			return no(20, e.what());
		}
		const std::string key =
		    fmt::format("{}/{}/{}/{:08x}/{:08x}/{:08x}", extranonce1, job_id,
		                std::string(p[2].as_string()), *ntime, *nonce, vbits);
		if (pool.seen_.count(key))
			return no(22, "duplicate share");
		if (!hashboard::hash_meets(
		        hash, hashboard::target_from_difficulty(job_difficulty.at(job_id))))
			return no(23, "low difficulty share");
		pool.seen_.insert(key);
		++c.accepted;
		reply(req.id, true);
	}
};

TestPool::TestPool(asio::io_context &io, TestPoolOptions options)
    : io_(io), options_(std::move(options)), tls_(std::make_unique<Tls>()),
      difficulty_(options_.difficulty)
{
	if (options_.notifies.empty())
		throw std::invalid_argument("test pool: no notify templates");
	if (options_.cert_file && options_.key_file) {
		tls_->ctx.use_certificate_chain_file(*options_.cert_file);
		tls_->ctx.use_private_key_file(*options_.key_file, asio::ssl::context::pem);
	}
	new_job(true);
	listen();
}

TestPool::~TestPool()
{
	if (acceptor_) {
		error_code ignored;
		acceptor_->close(ignored);
	}
	drop_all();
}

std::string TestPool::url() const
{
	return fmt::format("stratum+{}://{}:{}", options_.cert_file ? "ssl" : "tcp",
	                   options_.address, port_);
}

void TestPool::listen()
{
	const asio::ip::tcp::endpoint ep(asio::ip::make_address(options_.address),
	                                 port_ ? port_ : options_.port);
	acceptor_.emplace(io_);
	acceptor_->open(ep.protocol());
	acceptor_->set_option(asio::ip::tcp::acceptor::reuse_address(true));
	acceptor_->bind(ep);
	acceptor_->listen();
	port_ = acceptor_->local_endpoint().port();
	accept();
}

void TestPool::accept()
{
	acceptor_->async_accept([this](const error_code &ec, asio::ip::tcp::socket s) {
		if (ec)
			return; // closed (set_listening(false) or the destructor)
		auto c = std::make_shared<Conn>(*this, std::move(s), tls_->ctx,
		                                options_.cert_file.has_value());
		// Forget the connections that are gone, so a long hbpool run stays small.
		std::erase_if(conns_, [](const std::weak_ptr<Conn> &w) { return w.expired(); });
		conns_.push_back(c);
		c->start();
		accept();
	});
}

void TestPool::set_listening(bool listening)
{
	if (listening && !acceptor_)
		listen();
	else if (!listening && acceptor_) {
		error_code ignored;
		acceptor_->close(ignored);
		acceptor_.reset();
	}
}

void TestPool::send_job(Conn &c, const hashboard::StratumNotify &n)
{
	c.job_difficulty[n.job_id] = c.difficulty;
	c.send(hashboardd::stratum::encode_notification(
	    "mining.notify", hashboardd::stratum::params_from_notify(n)));
}

void TestPool::new_job(bool clean)
{
	const std::uint64_t k = next_job_++;
	hashboard::StratumNotify n = options_.notifies[(k - 1) % options_.notifies.size()];
	// Vary the template: its own job id and a later ntime make a different header.
	n.job_id = fmt::format("{:x}", k);
	const auto t = hashboard::parse_hex_number(n.ntime, 8).value_or(0);
	n.ntime = fmt::format("{:08x}", std::uint32_t(t + k - 1));
	n.clean_jobs = clean;
	if (clean)
		for (auto &[id, j] : jobs_)
			j.live = false;
	jobs_[n.job_id] = JobEntry{n, true};
	job_order_.push_back(n.job_id);
	if (job_order_.size() > 32) {
		jobs_.erase(job_order_.front());
		job_order_.erase(job_order_.begin());
	}
	if (silent_)
		return;
	for (auto &w : conns_)
		if (auto c = w.lock(); c && c->subscribed && !c->closed)
			send_job(*c, n);
}

void TestPool::set_difficulty(double difficulty)
{
	difficulty_ = difficulty;
	for (auto &w : conns_)
		if (auto c = w.lock(); c && !c->closed) {
			c->difficulty = difficulty;
			if (c->subscribed)
				c->send(hashboardd::stratum::encode_notification(
				    "mining.set_difficulty", json::array{difficulty}));
		}
}

void TestPool::drop_all()
{
	for (auto &w : conns_)
		if (auto c = w.lock())
			c->close();
	conns_.clear();
}

void TestPool::send_reconnect(const std::string &host, std::uint16_t port, unsigned wait_s)
{
	for (auto &w : conns_)
		if (auto c = w.lock(); c && !c->closed)
			c->send(hashboardd::stratum::encode_notification(
			    "client.reconnect", json::array{host, port, wait_s}));
}

void TestPool::set_silent(bool silent)
{
	silent_ = silent;
}

WorkerCounts TestPool::counts(const std::string &worker) const
{
	const auto it = counts_.find(worker);
	return it == counts_.end() ? WorkerCounts{} : it->second;
}

WorkerCounts TestPool::totals() const
{
	WorkerCounts t;
	for (const auto &[w, c] : counts_) {
		t.accepted += c.accepted;
		t.rejected += c.rejected;
		t.duplicates += c.duplicates;
		t.stale += c.stale;
		t.low_difficulty += c.low_difficulty;
		t.other += c.other;
	}
	return t;
}

std::size_t TestPool::connections() const
{
	std::size_t n = 0;
	for (const auto &w : conns_)
		if (auto c = w.lock(); c && !c->closed)
			++n;
	return n;
}

std::string TestPool::current_job_id() const
{
	return job_order_.empty() ? std::string() : job_order_.back();
}

} // namespace hbpool
