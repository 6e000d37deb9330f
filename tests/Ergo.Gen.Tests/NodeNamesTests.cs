using Ergo.Gen.Distribution;

namespace Ergo.Gen.Tests;

/// <summary>Node names as net_kernel makes them and inet_tcp_dist checks them (erl -name / -sname).</summary>
public sealed class NodeNamesTests
{
    [Theory]
    [InlineData("svc@hb.lab", null, "svc@hb.lab", NameDomain.LongNames)]
    [InlineData("svc@198.51.100.2", null, "svc@198.51.100.2", NameDomain.LongNames)]
    [InlineData("svc@::1", null, "svc@::1", NameDomain.LongNames)]
    [InlineData("svc@hb", null, "svc@hb", NameDomain.ShortNames)]
    [InlineData("svc@hb", NameDomain.LongNames, "svc@hb", NameDomain.LongNames)]
    public void A_name_with_a_host_keeps_it_and_tells_its_domain(string name, NameDomain? given, string full, NameDomain domain) =>
        Assert.Equal((full, domain), NodeNames.Complete(name, given));

    [Fact]
    public void A_name_without_a_host_gets_this_machines_short_host_name()
    {
        var (name, domain) = NodeNames.Complete("svc", NameDomain.ShortNames);
        Assert.Equal($"svc@{System.Net.Dns.GetHostName().Split('.')[0]}", name);
        Assert.Equal(NameDomain.ShortNames, domain);
    }

    [Theory]
    [InlineData("svc@hb.lab", NameDomain.ShortNames)]   // erl -sname refuses a dotted host
    [InlineData("sv c@hb", null)]                       // letters, digits, '_' and '-' only
    [InlineData("svc@", null)]
    [InlineData("svc@h\nfake log line", null)]
    [InlineData("a@b@c", null)]
    public void Names_erl_refuses_are_refused(string name, NameDomain? given) =>
        Assert.Throws<ArgumentException>(() => NodeNames.Complete(name, given));

    [Theory]
    [InlineData("erl@ha.lab", NameDomain.LongNames, false)]
    [InlineData("erl@198.51.100.1", NameDomain.LongNames, false)]
    [InlineData("erl@ha", NameDomain.LongNames, true)]
    [InlineData("erl@ha", NameDomain.ShortNames, false)]
    [InlineData("erl@ha.lab", NameDomain.ShortNames, true)]
    [InlineData("erl@198.51.100.1", NameDomain.ShortNames, true)]
    public void Peers_of_the_other_domain_are_refused(string peer, NameDomain domain, bool refused) =>
        Assert.Equal(refused, NodeNames.Refusal(peer, domain) is not null);

    [Fact]
    public void A_port_range_reads_as_erl_sets_it()
    {
        Assert.Equal(new PortRange(9100, 9155), PortRange.Parse("9100-9155"));
        Assert.Equal(new PortRange(4370, 4370), PortRange.Parse("4370"));
        Assert.Throws<FormatException>(() => PortRange.Parse("9200-9100"));
        Assert.Throws<FormatException>(() => PortRange.Parse("0-10"));
    }
}
